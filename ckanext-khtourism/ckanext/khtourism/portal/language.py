"""The page language and bilingual labels, for the portal's modules."""

from __future__ import annotations

from ckanext.khtourism.core.messages import current_language, label_text

__all__ = ["current_language", "label_text"]
