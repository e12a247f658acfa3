"""Monthly visitor reports of establishments and the open aggregates built from them
(docs/statistics.md). Not to be confused with ``portal/statistics.py``, the public
page of counts of records."""
