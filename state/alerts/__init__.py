"""Alerts and digests: which releases a target wants, the text that carries them, delivery
through Apprise, and what is remembered between runs. Plain Python, no Textual."""
