"""Judging releases: the taxonomy, phrase matching, language, summit detection and the pillar
classifier, and the `classify`/`eval` contract. Nothing here fetches or stores.
"""
