"""The review queue: a reviewer clears new entries one key at a time (docs/review.md).

``session.ReviewSession`` walks the queue over the store's named functions; ``app.ReviewApp``
is the Textual interface over it (imported only when the queue opens: Textual is slow to load).
"""
