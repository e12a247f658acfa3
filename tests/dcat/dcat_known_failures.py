"""Constraints of the official DCAT-AP 3 shapes our output knowingly does not meet.

Every entry is (class of the focus node, property, SHACL constraint component)
with the reason. Mandatory constraints (``sh:minCount``: the properties
DCAT-AP makes mandatory) may never appear here; the tests also fail when a
known failure stops occurring, so this list stays true.
"""

from __future__ import annotations

# Empty: every record type, every catalogue page, the registry datasets and the
# DataService meet the base and range shapes (the location's geometry is published as
# dcat:centroid / dcat:bbox literals, no locn:geometry literal; docs/dcat.md). A new
# entry needs its reason here and in docs/dcat.md.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}

MANDATORY_COMPONENTS = {"MinCountConstraintComponent"}


def classify(found) -> tuple[list, list, set]:
    """(mandatory violations, unexpected violations, known failures seen)."""
    mandatory, unexpected, seen = [], [], set()
    for violation in found:
        key = (violation.focus_class, violation.path, violation.constraint)
        if violation.constraint in MANDATORY_COMPONENTS:
            mandatory.append(violation)
        elif key in KNOWN_FAILURES:
            seen.add(key)
        else:
            unexpected.append(violation)
    return mandatory, unexpected, seen
