"""Hits found in the process's bitmaps; only the page's few rows read in SQL (issue 20).

A search matching 60,000 of 100,000 documents cannot be answered in SQL in 50 ms on two
cores: the bare ``count(*)`` of the full-text match reads 21,000 heap pages (≈ 50 ms),
and the ranking reads every hit's vector. Here the whole ``WHERE`` of a search is worked
out as set operations on bitmaps the process keeps (``facet_bitmaps.FacetBitmaps``):

* each full-text operand of ``d.tsv`` (``'word'``, ``'prefix':*``) → its documents, read
  through the GIN index the first time it is asked for, then kept current from the change
  log (at most ``MAX_LEXEMES``, least recently used dropped);
* each value of the small columns (``state``, ``site_id``, ``capacity``, ``dataset_type``,
  ``entity_type``, every permission label) and of each facet field → its documents.

The count is the size of the hits and the facets are intersections. Only the page needs
SQL: the hits that can be on it (the *candidates*) are chosen here and PostgreSQL ranks
and sorts them with the engine's own expressions — the same statement as the SQL path,
its ``WHERE`` checked again on each candidate, so no document the visitor may not see can
be returned even if a bitmap were wrong.

Choosing the candidates:

* **by score** (the default ``score desc, metadata_modified desc``): the rank of an OR
  query is, in PostgreSQL (``calc_rank_or``), the sum over its distinct operands of what
  each alone gives, divided by their number; with normalisation 1 the division by the
  document's length distributes over the sum. So per operand the documents holding it
  and ``ts_rank(weights, vector, operand, 1)`` are read once (``tsv_rank`` and
  ``tsv_exact``) and each hit's score is summed here. The hits whose score is within
  :data:`EPSILON` of the k-th best are candidates (float rounding differs from
  PostgreSQL's only far below that). Hits holding no ranked operand all score exactly
  ``text.TEXT_ONLY_RANK``; among them the next sort key decides.
* **by a column** (``metadata_modified``, ``metadata_created``, ``title_string``, ``name``,
  ``id``): each document's rank in that order (``rank() OVER``, the database's collation)
  is read once; the hits ranked up to the k-th, ties included, are candidates.
* documents changed since those ranks and scores were read are always candidates.

Not used — the SQL path answers — when a part of the query has no set form (phrases,
ranges, wildcards on strings, fields outside ``facet_terms``, ``qf`` weights, similarity,
``bf``/``boost``), with a spatial filter, for a sort on other fields, for pages past
:data:`MAX_PAGE_END`, when a facet field is not counted in bitmaps, when more than
:data:`MAX_CANDIDATES` hits tie for the page, or when ranking needs an AND query
(``calc_rank_and``, position-based).
"""

from __future__ import annotations

import array
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from . import facet_bitmaps, index, spatial, text
from .facet_bitmaps import BITMAPS, BitMap
from .fields import SORT_COLUMNS
from .parse import _lexeme

log = logging.getLogger(__name__)

# hits that tie within this of the last score of the page are all candidates
EPSILON = 1e-6
# near-ties past the page by more than this: the following key chooses among exact ties
FEW_MORE = 100
# more candidates than this: the SQL path (ranking them costs what ranking all would)
MAX_CANDIDATES = 5000
# deeper pages than this: the SQL path
MAX_PAGE_END = 1000
# sort keys computed per hit here
COMPUTED = ("score", "khtourism_overlap", "khtourism_distance")
# PostgreSQL's EPSILON of its geometric comparisons (FPle in geo_decls.h)
GEOMETRY_EPSILON = 1.0e-06
# a radius hit closer than this (metres) to the circle is checked in SQL
RADIUS_TOLERANCE_M = 1e-3


OPTION = "ckanext.khtourism.search.hits_in_memory"


def enabled() -> bool:
    from ckan.common import config

    return facet_bitmaps.enabled() and bool(config.get(OPTION, True))


class Unsupported(Exception):
    """The query has a part the bitmaps cannot answer: the SQL path does."""


@dataclass
class Found:
    hits: Any  # BitMap of every hit
    candidates: list[int]  # the hits that can be on the requested page


# ---------------------------------------------------------------------- tsquery text
_TOKEN = re.compile(r"\s*(?:(')((?:[^'\\]|''|\\.)*)'(:[*A-D]+)?|(<->|<\d+>)|([!&|()]))")


def parse_tsquery(source: str) -> Any:
    """A tsquery's text (as PostgreSQL prints it) as a tree: ``("lex", operand)``,
    ``("not", x)``, ``("and" | "or", a, b)``; None when empty. Phrases and weight
    restrictions raise :class:`Unsupported`."""
    tokens: list[tuple[str, str]] = []
    position = 0
    source = source.strip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if not match:
            raise Unsupported(f"tsquery text {source!r}")
        position = match.end()
        if match.group(1):
            suffix = match.group(3) or ""
            if suffix not in ("", ":*"):
                raise Unsupported("weight-restricted operand")
            tokens.append(("lex", f"'{match.group(2)}'{suffix}"))
        elif match.group(4):
            raise Unsupported("phrase operator")
        else:
            tokens.append(("op", match.group(5)))
        while position < len(source) and source[position].isspace():
            position += 1
    if not tokens:
        return None
    items = iter(tokens + [("end", "")])
    current = [next(items)]

    def advance() -> tuple[str, str]:
        token = current[0]
        current[0] = next(items)
        return token

    def unary() -> Any:
        kind, value = advance()
        if kind == "op" and value == "!":
            return ("not", unary())
        if kind == "op" and value == "(":
            node = disjunction()
            if advance() != ("op", ")"):
                raise Unsupported("unbalanced tsquery")
            return node
        if kind == "lex":
            return ("lex", value)
        raise Unsupported(f"tsquery token {value!r}")

    def conjunction() -> Any:
        node = unary()
        while current[0] == ("op", "&"):
            advance()
            node = ("and", node, unary())
        return node

    def disjunction() -> Any:
        node = conjunction()
        while current[0] == ("op", "|"):
            advance()
            node = ("or", node, conjunction())
        return node

    tree = disjunction()
    if current[0][0] != "end":
        raise Unsupported("trailing tsquery tokens")
    return tree


def operands(tree: Any) -> list[str]:
    if tree is None:
        return []
    if tree[0] == "lex":
        return [tree[1]]
    return [operand for child in tree[1:] for operand in operands(child)]


# ---------------------------------------------------------------------- hits
class _Evaluator:
    def __init__(self, session: Any, universe: Any, tsqueries: dict[str, Any]) -> None:
        self.session = session
        self.universe = universe
        self.tsqueries = tsqueries  # tsquery SQL -> parsed tree
        needed = [o for tree in tsqueries.values() for o in operands(tree)]
        self.lexemes = BITMAPS.lexemes(session, needed) if needed else {}

    def hits(self, expression: Any) -> Any:
        kind = expression[0]
        if kind == "all":
            return self.universe.copy()
        if kind == "none":
            return BitMap()
        if kind == "column":
            return BITMAPS.column(expression[1], expression[2]).copy()
        if kind == "facet":
            found = BITMAPS.facet(self.session, expression[1], expression[2])
            if found is None:
                raise Unsupported(f"facet field {expression[1]} not in bitmaps")
            return found.copy()
        if kind == "text":
            return self.text(self.tsqueries[expression[1]])
        if kind == "not":
            return self.universe - self.hits(expression[1])
        if kind == "and":
            parts = sorted((self.hits(p) for p in expression[1]), key=len)
            result = parts[0]
            for part in parts[1:]:
                result &= part
            return result
        if kind == "or":
            return BitMap.union(*[self.hits(p) for p in expression[1]])
        raise Unsupported(kind)

    def text(self, tree: Any) -> Any:
        if tree is None:  # no lexeme (stop words only): PostgreSQL matches nothing
            return BitMap()
        kind = tree[0]
        if kind == "lex":
            return self.lexemes[tree[1]].copy()
        if kind == "not":
            return self.universe - self.text(tree[1])
        if kind == "and":
            return self.text(tree[1]) & self.text(tree[2])
        return self.text(tree[1]) | self.text(tree[2])


def _text_expressions(expression: Any, found: list[str]) -> list[str]:
    if expression[0] == "text":
        found.append(expression[1])
    elif expression[0] in ("and", "or"):
        for part in expression[1]:
            _text_expressions(part, found)
    elif expression[0] == "not":
        _text_expressions(expression[1], found)
    return found


# ---------------------------------------------------------------------- candidates
def _ranked_operands(tree: Any) -> list[str]:
    """The distinct operands of a ranking query whose rank is a sum per operand."""
    if tree is None:
        return []
    if tree[0] == "and":
        raise Unsupported("ranking of an AND query is position-based")
    found = operands(tree)
    if any(o.endswith(":*") for o in found):
        raise Unsupported("ranking of a prefix")
    return list(dict.fromkeys(found))


def _fold_operand(operand: str) -> str:
    """The ``d.tsv`` operand every document with ``operand`` in ``tsv_exact`` matches."""
    lexeme = facet_bitmaps.prefix_of(operand + ":*")
    folded = text.fold(lexeme).strip()
    if not folded or not re.fullmatch(r"\w+", folded):
        raise Unsupported("exact word without a plain folded form")
    return facet_bitmaps.tsquery_operand(folded)


class _Scores:
    """Each hit's score as the SQL path's ``score`` expression computes it."""

    def __init__(self, session: Any, plan: Any, rank_tree: Any, exact_tree: Any) -> None:
        weights = plan.compiler.rank_weights
        self.parts: list[tuple[float, dict[str, tuple[Any, Any]]]] = []
        ranked = _ranked_operands(rank_tree)
        if ranked:
            found = BITMAPS.impacts(session, "tsv_rank", weights, [(o, o) for o in ranked])
            self.parts.append((1.0 / len(ranked), found))
        exact = _ranked_operands(exact_tree)
        if exact:
            found = BITMAPS.impacts(
                session, "tsv_exact", weights, [(o, _fold_operand(o)) for o in exact]
            )
            self.parts.append((text.EXACT_BONUS / len(exact), found))
        self.base = text.TEXT_ONLY_RANK if ranked else 0.0
        self.ranks = bool(ranked or exact)

    def of(self, keys: Any) -> tuple[Any, Any]:
        """(scores of ``keys``, whether each holds a ranked operand)."""
        size = int(keys.max()) + 1 if len(keys) else 0
        for _, found in self.parts:
            for doc_keys, _ in found.values():
                if len(doc_keys):
                    size = max(size, int(doc_keys[-1]) + 1)
        total = np.zeros(size, dtype=np.float64)
        held = np.zeros(size, dtype=bool)
        for factor, found in self.parts:
            part = np.zeros(size, dtype=np.float64)
            for doc_keys, ranks in found.values():
                part[doc_keys] += ranks
                held[doc_keys] = True
            total += part * factor
        return total[keys] + self.base, held[keys]


def _top_by_order(session: Any, keys: Any, column: str, direction: str, count: int) -> Any:
    """The keys ranked up to the ``count``-th by ``column``, ties with it included (the
    page's SQL orders them by the next key)."""
    if column == "doc_key":
        ranks = keys if direction == "asc" else -keys
    else:
        up, down = BITMAPS.order(session, column)
        table = up if direction == "asc" else down
        inside = keys < len(table)
        ranks = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
        ranks[inside] = table[keys[inside]]
    if len(keys) <= count:
        return keys
    last = np.partition(ranks, count - 1)[count - 1]
    return keys[ranks <= last]


class _Overlap:
    """Each hit's ``khtourism_overlap`` (spatial.plan's expression) with one box."""

    def __init__(self, session: Any, box: tuple[float, float, float, float]) -> None:
        self.extents = BITMAPS.extents(session)
        self.box = box

    def of(self, keys: Any) -> tuple[Any, Any]:
        """(overlaps of ``keys``, whether each can differ from 0)."""
        min_x, min_y, max_x, max_y = self.box
        x1, y1, x2, y2 = (self.extents[n, keys] for n in range(4))
        inter = np.maximum(np.minimum(x2, max_x) - np.maximum(x1, min_x), 0) * np.maximum(
            np.minimum(y2, max_y) - np.maximum(y1, min_y), 0
        )
        own = (x2 - x1) * (y2 - y1)
        area = max((max_x - min_x) * (max_y - min_y), 0)
        below = own + area - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(below != 0, inter / np.where(below != 0, below, 1), 0.0)
        return values, inter > 0


def _top_of_computed(
    session: Any,
    values: Any,
    varying: Any,
    keys: Any,
    direction: str,
    following: tuple[str, str],
    count: int,
) -> Any:
    """The candidates by a computed key (a score, an overlap): those within
    :data:`EPSILON` of the ``count``-th; when too many tie, the hits where the key is
    exactly its constant (``varying`` False: the same value in SQL too) are ordered by
    the ``following`` key instead."""
    signed = -values if direction == "desc" else values
    last = np.partition(signed, count - 1)[count - 1]
    near = signed <= last + EPSILON
    total = int(near.sum())
    if not (near & ~varying).any() or total <= min(count + FEW_MORE, MAX_CANDIDATES):
        if total > MAX_CANDIDATES:
            raise Unsupported("too many hits tie for the page")
        return keys[near]
    # the hits where the key is its constant (every point's overlap is 0; no ranked word)
    # tie exactly: the following key chooses among them, not SQL among all of them
    ranked = keys[near & varying]
    if len(ranked) > MAX_CANDIDATES:
        raise Unsupported("too many hits tie for the page")
    column = SORT_COLUMNS.get(following[0], following[0])
    if following[0] not in SORT_COLUMNS and following[0] != "doc_key":
        raise Unsupported(f"sort by {following[0]}")
    top = _top_by_order(session, keys[near & ~varying], column, following[1], count)
    return np.concatenate([ranked, top])


def _candidates(
    session: Any,
    plan: Any,
    hits: Any,
    keys: Any,
    count: int,
    computed: dict[str, Any],
) -> list[int]:
    """The hits that can be among the first ``count`` in the plan's order."""
    if len(keys) <= count:
        return keys.tolist()
    sort = [(n, d) for n, d in plan.sort_spec] + [("doc_key", "asc")]
    for name, _ in sort:  # read first: the first read of ranks starts ``changed`` afresh
        if name in SORT_COLUMNS:
            BITMAPS.order(session, SORT_COLUMNS[name])
    # documents changed since the ranks and scores were read: those here are stale, so
    # they are chosen from without them, and all of them are candidates
    changed = BITMAPS.changed() & hits if BITMAPS.changed() else BitMap()
    if changed:
        keys = keys[~np.isin(keys, np.asarray(changed.to_array(), dtype=np.int64))]
        if len(keys) <= count:
            return sorted(set(keys.tolist()) | set(changed))
    chosen: Any = None
    for position, (name, direction) in enumerate(sort):
        if name in computed:
            if computed[name] is None:
                continue  # every hit has the same value: the next key decides
            values, varying = computed[name].of(keys)
            chosen = _top_of_computed(
                session, values, varying, keys, direction, sort[position + 1], count
            )
            break
        column = SORT_COLUMNS.get(name)
        if column is None and name != "doc_key":
            raise Unsupported(f"sort by {name}")
        chosen = _top_by_order(session, keys, column or "doc_key", direction, count)
        break
    if chosen is None or len(chosen) > MAX_CANDIDATES:
        raise Unsupported("too many candidates")
    result = set(chosen.tolist()) | set(changed)
    scores = computed.get("score")
    if scores is not None and sort[0][0] != "score" and len(keys):
        # the highest score of all hits (Solr's maxScore) is among the candidates
        values, _ = scores.of(keys)
        top = keys[values >= values.max() - EPSILON]
        if len(top) + len(result) > MAX_CANDIDATES:
            raise Unsupported("too many candidates for the highest score")
        result.update(top.tolist())
    return sorted(result)


def _circle_box(lat: float, lon: float, radius: float) -> tuple[float, float, float, float]:
    """The box ``spatial.plan`` puts around a circle."""
    dlat = math.degrees(radius / spatial.EARTH_RADIUS_M)
    dlon = min(180.0, dlat / max(math.cos(math.radians(lat)), 1e-6))
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def _circle(value: str) -> tuple[float, float, float]:
    lat, lon, radius = value.split(",")
    return spatial.parse_radius(lat, lon, radius)


class _Distances:
    """Each hit's ``khtourism_distance`` (spatial.plan's haversine to the nearest point of
    its extent) and the radius filter. NumPy's trigonometry may differ from PostgreSQL's
    in the last bits: hits within :data:`RADIUS_TOLERANCE_M` of the circle are checked
    in SQL with the engine's own expression."""

    def __init__(self, session: Any, plan: Any, circle: tuple[float, float, float]) -> None:
        self.session = session
        self.plan = plan
        self.extents = BITMAPS.extents(session)
        self.lat, self.lon, self.radius = circle

    def of(self, keys: Any) -> tuple[Any, Any]:
        lat, lon = self.lat, self.lon
        near_lon = np.minimum(np.maximum(lon, self.extents[0, keys]), self.extents[2, keys])
        near_lat = np.minimum(np.maximum(lat, self.extents[1, keys]), self.extents[3, keys])
        a = (
            np.sin(np.radians(near_lat - lat) / 2) ** 2
            + np.cos(np.radians(lat))
            * np.cos(np.radians(near_lat))
            * np.sin(np.radians(near_lon - lon) / 2) ** 2
        )
        values = 2 * spatial.EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
        return values, np.ones(len(keys), dtype=bool)

    def within(self, keys: Any) -> Any:
        """The keys inside the circle (the box first, exactly as SQL writes it)."""
        box = _circle_box(self.lat, self.lon, self.radius)
        keys = _in_box(self.session, keys, box, fuzzy=not self.plan.compiler.matches_text_index)
        values, _ = self.of(keys)
        inside = keys[values <= self.radius - RADIUS_TOLERANCE_M]
        edge = keys[np.abs(values - self.radius) < RADIUS_TOLERANCE_M]
        if len(edge):
            distance = self.plan.spatial.distance_sql
            checked = self.session.execute(
                sa.text(
                    f"SELECT d.doc_key FROM {index.TABLE} d"
                    f" WHERE d.doc_key = ANY(CAST(:edge AS bigint[])) AND {distance} <= :radius"
                ),
                {**self.plan.compiler.params, "edge": edge.tolist(), "radius": self.radius},
            ).scalars()
            inside = np.concatenate([inside, np.asarray(list(checked), dtype=np.int64)])
        return np.sort(inside)


def _bitmap(keys: Any) -> Any:
    return BitMap(array.array("I", keys.astype(np.uint32).tobytes()))


def _in_box(session: Any, keys: Any, box: tuple[float, float, float, float], fuzzy: bool) -> Any:
    """The keys whose extent overlaps ``box`` as ``spatial._box_overlaps`` writes it:
    PostgreSQL's ``box && box`` (``fuzzy``: its geometric comparisons allow 1e-6, its
    ``EPSILON``) when the box index is used, plain comparisons otherwise."""
    extents = BITMAPS.extents(session)
    keys = keys[keys < extents.shape[1]]
    min_x, min_y, max_x, max_y = box
    slack = GEOMETRY_EPSILON if fuzzy else 0.0
    return keys[
        (extents[0, keys] - max_x <= slack)
        & (min_x - extents[2, keys] <= slack)
        & (extents[1, keys] - max_y <= slack)
        & (min_y - extents[3, keys] <= slack)
    ]


def _box_hits(session: Any, box: tuple[float, float, float, float], fuzzy: bool) -> Any:
    """Every document whose extent overlaps ``box`` (as :func:`_in_box`), from the whole
    arrays at once: cheaper than the hits' keys when the other filters keep most documents."""
    extents = BITMAPS.extents(session)
    return _bitmap(_in_box(session, np.arange(extents.shape[1], dtype=np.int64), box, fuzzy))


# ---------------------------------------------------------------------- entry point
def eligible(plan: Any) -> bool:
    """What can be known without reading: every part has a set form, nothing spatial,
    the score and the sort are ones computed here."""
    compiler = plan.compiler
    return (
        enabled()
        and all(expression is not None for expression in compiler.bit_exprs)
        and [name for name, _ in compiler.spatial] in ([], ["khtourism_bbox"], ["khtourism_radius"])
        and not plan.spatial.polygons
        # an area alone (no words, no facets): the covering spatial index finds its few
        # hits in SQL with less work than a pass over every document's extent here
        and not (compiler.spatial and not compiler.matches_text_index and not plan.facet_fields)
        and not compiler.similarity_terms
        and not plan.params.get("bf")
        and not plan.params.get("boost")
        and plan.start + plan.rows <= MAX_PAGE_END
        and all(n in COMPUTED or n in SORT_COLUMNS for n, _ in plan.sort_spec)
    )


def find(session: Any, plan: Any, refreshed: bool = False) -> Found | None:
    """The hits and the page's candidates of ``plan`` (a ``connection.QueryPlan``), or
    None when the SQL path must answer. ``refreshed``: the bitmaps were brought up to
    date from the log a moment ago, in this request (``FacetBitmaps.usable``)."""
    if not eligible(plan):
        return None
    compiler = plan.compiler
    expressions = [
        ("text", e) for expression in compiler.bit_exprs for e in _text_expressions(expression, [])
    ]
    texts = list(dict.fromkeys(e for _, e in expressions))
    rank_sql = " || ".join(f"({t})" for t in compiler.rank_tsqueries) or "NULL::tsquery"
    exact_words = list(dict.fromkeys(compiler.exact_words))
    exact_sql = (
        f"to_tsquery('simple', {compiler.bind(' | '.join(_lexeme(w) for w in exact_words))})"
        if exact_words
        else "NULL::tsquery"
    )
    columns = [f"CAST(({t}) AS text)" for t in [*texts, rank_sql, exact_sql]]
    try:
        if texts or compiler.rank_tsqueries or exact_words:
            statement = sa.text(f"SELECT {', '.join(columns)}")
            printed = list(session.execute(statement, compiler.params).one())
        else:  # no words: nothing to print
            printed = [None, None]
        trees = [parse_tsquery(value or "") for value in printed]
        # what ranking needs is known before anything is read
        rank_tree, exact_tree = trees[-2], trees[-1]
        _ranked_operands(rank_tree)
        for operand in _ranked_operands(exact_tree):
            _fold_operand(operand)
        area = compiler.spatial[0] if compiler.spatial else None
        box = spatial.parse_bbox(area[1]) if area and area[0] == "khtourism_bbox" else None
        circle = _circle(area[1]) if area and area[0] == "khtourism_radius" else None
        with BITMAPS.lock:
            if not refreshed:
                BITMAPS.refresh(session)
            universe = BITMAPS.universe(session)
            if universe is None:
                return None
            evaluator = _Evaluator(
                session, universe, dict(zip(texts, trees[: len(texts)], strict=True))
            )
            hits = None
            for expression in compiler.bit_exprs:
                found = evaluator.hits(expression)
                hits = found if hits is None else hits & found
            if hits is None:
                hits = universe.copy()
            distances = None
            fuzzy = not compiler.matches_text_index
            if box is not None:
                hits &= _box_hits(session, box, fuzzy)
            if circle is not None:  # the circle's box first, on the whole arrays
                hits &= _box_hits(session, _circle_box(*circle), fuzzy)
            keys = np.asarray(hits.to_array(), dtype=np.int64)
            if circle is not None:
                distances = _Distances(session, plan, circle)
                keys = distances.within(keys)
                hits = _bitmap(keys)
            count = plan.start + plan.rows
            if count == 0:
                return Found(hits, [])
            scores = _Scores(session, plan, rank_tree, exact_tree)
            computed = {
                "score": scores if scores.ranks else None,
                "khtourism_overlap": _Overlap(session, box) if box is not None else None,
                "khtourism_distance": distances,
            }
            return Found(hits, _candidates(session, plan, hits, keys, count, computed))
    except Unsupported as reason:
        log.debug("Search answered in SQL: %s", reason)
        return None
