"""The change log of published records: written on every change, read by the API's change feed and statistics."""
