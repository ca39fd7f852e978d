"""The store's engine: the database folder and its lock, month chunks, the record codec, the
in-memory index and the write path. Only `state`'s front modules (store, dedupe, events,
export) use it; other packages go through `state`.
"""
