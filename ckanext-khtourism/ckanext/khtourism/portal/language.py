"""The page language and bilingual labels, for the portal's modules (one import to follow
when the messages module moves: records/messages.py -> core/messages.py on branch gettext)."""

from __future__ import annotations

from ckanext.khtourism.records.messages import current_language, label_text

__all__ = ["current_language", "label_text"]
