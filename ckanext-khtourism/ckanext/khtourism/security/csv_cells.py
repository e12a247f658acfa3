"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection").

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with a single quote, so Excel and LibreOffice show it as
text. A cell that is a plain number (``-12``, ``+3.5``, ``-1e3``) is left as
it is: it stays a number in the spreadsheet, and a number runs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet will read it as data, never as a formula."""
    if text and text.startswith(FORMULA_TRIGGERS) and not _NUMBER.match(text):
        return "'" + text
    return text


def safe_row(cells: Iterable[str]) -> list[str]:
    return [safe_cell(cell) for cell in cells]
