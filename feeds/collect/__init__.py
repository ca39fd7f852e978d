"""Getting releases: sources and their config, polite fetching, parsing feeds and index pages,
normalising, main-text extraction and full-text fetches, OPML.

Every stage here hands `feeds.models` records to the next; nothing here judges a release.
"""
