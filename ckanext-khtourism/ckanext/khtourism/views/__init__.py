"""Blueprints of the extension (``@tk.blanket.blueprints`` reads ``__all__``)."""

from __future__ import annotations

# records: curator queue, business dashboard, revision diff, workflow buttons
from ckanext.khtourism.workflow.views import workflow

__all__ = ["workflow"]
