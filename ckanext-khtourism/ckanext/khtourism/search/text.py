"""Vietnamese-aware text handling: folding, text vectors and ranking weights.

Matching is case- and diacritic-insensitive: text is *folded* in Python at
index and query time (NFD, combining marks removed, ``đ`` -> ``d``, lower
case), so PostgreSQL needs no ``unaccent`` dictionary. Each document carries
one GIN-indexed vector ``tsv`` holding the folded words twice — as they are
(``simple`` configuration) and stemmed (``english``), so ``hotels`` finds
``hotel`` — and a second vector ``tsv_exact`` of the unfolded words, used only
for ranking: a query typed with the right diacritics ranks the documents
spelled that way first.

Weights follow CKAN's default ``qf`` (``name^4 title^4 tags^2 groups^2
text``): name and title are ``A``, tags and groups ``B``, organization and
the English title ``C``, the rest ``D``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# ts_rank weights for {D, C, B, A}
RANK_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"
# Rank of a hit whose words are only in its description (not in names, titles, tags).
TEXT_ONLY_RANK = 0.01
# Extra weight of an exact-diacritic match relative to the folded rank.
EXACT_BONUS = 0.5

_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(value: str) -> str:
    """Case- and diacritic-free form of ``value`` (``Đà Lạt`` -> ``da lat``)."""
    decomposed = unicodedata.normalize("NFD", value)
    stripped = _COMBINING.sub("", decomposed)
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


def exact(value: str) -> str:
    """Lower case, composed (NFC) form keeping the diacritics."""
    return unicodedata.normalize("NFC", value).lower()


def flatten(value: Any) -> list[str]:
    """The text values of a document field (scalars and lists)."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        result: list[str] = []
        for item in value:
            result.extend(flatten(item))
        return result
    if isinstance(value, dict):
        return []
    return [str(value)]


# Fields of each weight class; everything else textual goes to D.
WEIGHT_A = ("name", "title")
WEIGHT_B = ("tags", "groups")
WEIGHT_C = ("organization", "title_en", "title_ngram")
# Fields that never feed the full-text vectors.
NOT_TEXT = {
    "id",
    "site_id",
    "index_id",
    "entity_type",
    "dataset_type",
    "state",
    "capacity",
    "permission_labels",
    "validated_data_dict",
    "data_dict",
    "metadata_created",
    "metadata_modified",
    "indexed_ts",
    "owner_org",
    "creator_user_id",
    "type",
    "private",
    "title_string",
    "license_url",
    "num_resources",
    "num_tags",
    "isopen",
    "res_url",
    "url",
    "spatial",
    "area",
    "res_type",
}


def weighted_text(doc: dict[str, Any]) -> dict[str, str]:
    """Text of a document per weight class, unfolded."""
    classes: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}
    for key, value in doc.items():
        if key in NOT_TEXT or key.endswith("_date") or key.startswith("res_extras_url"):
            continue
        values = flatten(value)
        if not values:
            continue
        if key in WEIGHT_A:
            target = "A"
        elif key in WEIGHT_B:
            target = "B"
        elif key in WEIGHT_C:
            target = "C"
        elif (
            key == "text"
            or key.startswith(("extras_", "res_", "vocab_"))
            or key in ("notes", "notes_en", "author", "maintainer", "urls")
            or isinstance(value, (str, list))
        ):
            target = "D"
        else:
            continue
        # Names are slugs: also index them as words.
        if key == "name":
            values = values + [v.replace("-", " ").replace("_", " ") for v in values]
        # Code values such as ``khach_san`` are also indexed as words.
        values = [v.replace("_", " ") if target != "A" else v for v in values]
        classes[target].extend(values)
    return {weight: "\n".join(texts) for weight, texts in classes.items()}


def vector_sql(prefix: str) -> str:
    """SQL building ``tsv`` from bind parameters ``{prefix}A`` … ``{prefix}D`` (folded)."""
    parts = []
    for weight in "ABCD":
        param = f":{prefix}{weight}"
        parts.append(
            f"setweight(to_tsvector('simple', {param}) || to_tsvector('english', {param}), "
            f"'{weight}')"
        )
    return " || ".join(parts)


def exact_vector_sql(prefix: str) -> str:
    """SQL building ``tsv_exact`` from ``{prefix}A`` … ``{prefix}C`` (unfolded).

    Only names, titles, tags and groups: the vector is read for every hit when
    ranking, so it stays small (descriptions match through ``tsv`` only).
    """
    return " || ".join(
        f"setweight(to_tsvector('simple', :{prefix}{weight}), '{weight}')" for weight in "ABC"
    )


def rank_vector_sql(prefix: str) -> str:
    """SQL building ``tsv_rank`` (folded + stemmed, weights A–C only) for ranking."""
    parts = []
    for weight in "ABC":
        param = f":{prefix}{weight}"
        parts.append(
            f"setweight(to_tsvector('simple', {param}) || to_tsvector('english', {param}), "
            f"'{weight}')"
        )
    return " || ".join(parts)


_WORD = re.compile(r"\w+", re.UNICODE)


def words(value: str) -> list[str]:
    return _WORD.findall(value)
