"""The reference enforcement-side receiver (``watchlist receiver``): what an enforcement team can
run or copy. ``ledger`` keeps its list and the batch ids it applied in its own SQLite file;
``server`` verifies, dedupes, applies and answers (docs/sync.md)."""
