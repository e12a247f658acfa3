"""Submission and curation of tourism records: states, pending revisions, diff, queue."""
