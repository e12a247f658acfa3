"""Lucene/Solr query syntax -> SQL predicates over ``khtourism_search_doc``.

The query strings CKAN and the extensions send (``q``, ``fq``, ``fq_list``)
are parsed with luqum into a tree; :class:`Compiler` walks the tree and turns
every node into SQL with bound parameters. Nothing is matched with regular
expressions on the raw query. Syntax the engine does not support raises
:class:`ckan.lib.search.common.SearchQueryError` naming the unsupported part.

Field semantics follow CKAN's Solr schema:

* full text (``text`` and the default ``qf`` fields): the weighted vector
  ``tsv`` (folded + English stems), see :mod:`.text`;
* tokenized text fields (``title``, ``notes``, ``res_name``, ``extras_*`` …):
  whole-word match on the folded field text;
* everything else is a string field, multi-valued or not: exact match on the
  values (``terms`` jsonb, GIN-indexed), ranges, prefix wildcards;
* ``metadata_modified`` / ``metadata_created`` and ``*_date`` fields are
  dates, with Solr date math (``NOW-1DAY``, ``NOW/DAY``, ``[X TO NOW]``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from dateutil.parser import ParserError, isoparse
from dateutil.relativedelta import relativedelta
from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as lucene_parser

from ckan.lib.search.common import SearchQueryError

from . import fields as index_fields
from . import text

# The PLY parser behind luqum is a module-level object with mutable parse state: a
# threaded server (``ckan run --threaded``, gunicorn gthread) must not run two parses
# at once, or valid queries come back as syntax errors.
_PARSER_LOCK = threading.Lock()

# Indexed fields stored in their own columns.
COLUMN_FIELDS = {
    "id": "d.id",
    "name": "d.name",
    "site_id": "d.site_id",
    "state": "d.state",
    "capacity": "d.capacity",
    "dataset_type": "d.dataset_type",
    "entity_type": "d.entity_type",
}
DATE_COLUMNS = {
    "metadata_modified": "d.metadata_modified",
    "metadata_created": "d.metadata_created",
}
# Fields Solr tokenizes (type text/textgen in CKAN's schema).
TEXT_FIELDS = {"title", "notes", "urls", "res_name", "res_description", "author", "maintainer"}
TEXT_PREFIXES = ("extras_", "res_extras_")
# Autocomplete fields (edge n-grams in Solr): trigram similarity here.
NGRAM_FIELDS = {"name_ngram", "title_ngram"}
# Pseudo-fields the spatial filters put into fq (see .spatial).
SPATIAL_FIELDS = {"khtourism_bbox", "khtourism_radius", "khtourism_polygon"}
DEFAULT_QF = "name^4 title^4 tags^2 groups^2 text"
# The default field of the words of a dismax ``q`` whose ``qf`` is not the default one:
# such a word is matched in each ``qf`` field (see :meth:`Compiler.qf_term`).
QF_FIELD = "_khtourism_qf_"
# Weight class of the fields the weighted vector ``tsv`` holds (see :mod:`.text`).
WEIGHT_OF_FIELD = {
    **{name: "A" for name in text.WEIGHT_A},
    **{name: "B" for name in text.WEIGHT_B},
    **{name: "C" for name in text.WEIGHT_C},
}
# Permission labels as an expression the planner cannot answer from an index:
# every visitor's labels include "public", which matches nearly every dataset, so
# scanning a label index (instead of the full-text index) is always the wrong plan.
LABELS = "(d.permission_labels || ARRAY[]::text[])"
DEFAULT_MM = "2<-1 5<80%"

_UNITS = {
    "YEAR": "years",
    "YEARS": "years",
    "MONTH": "months",
    "MONTHS": "months",
    "DAY": "days",
    "DAYS": "days",
    "DATE": "days",
    "HOUR": "hours",
    "HOURS": "hours",
    "MINUTE": "minutes",
    "MINUTES": "minutes",
    "SECOND": "seconds",
    "SECONDS": "seconds",
    "MILLI": "microseconds",
    "MILLIS": "microseconds",
    "MILLISECOND": "microseconds",
    "MILLISECONDS": "microseconds",
}
_MATH_STEP = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")


def is_text_field(name: str) -> bool:
    return name in TEXT_FIELDS or name.startswith(TEXT_PREFIXES)


def is_date_field(name: str) -> bool:
    return name in DATE_COLUMNS or name.endswith("_date") or name == "indexed_ts"


def parse_date_math(value: str, now: dt.datetime | None = None) -> dt.datetime:
    """A Solr date (ISO 8601 with ``Z``, or ``NOW``) followed by date math."""
    now = now or dt.datetime.now(dt.timezone.utc)
    raw = value.strip()
    if raw.upper().startswith("NOW"):
        anchor, math = now, raw[3:].upper()
    else:
        # the anchor ends where date math starts: after the Z, or at the first '/' or unit step
        split = raw.find("Z")
        if split >= 0:
            anchor_text, math = raw[: split + 1], raw[split + 1 :].upper()
        else:
            anchor_text, math = raw, ""
        try:
            anchor = isoparse(anchor_text)
        except (ValueError, ParserError) as error:
            raise SearchQueryError(f"Invalid date {value!r}: {error}") from error
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=dt.timezone.utc)
    position = 0
    result = anchor
    while position < len(math):
        step = _MATH_STEP.match(math, position)
        if not step:
            raise SearchQueryError(f"Invalid date math in {value!r} at {math[position:]!r}")
        sign, amount, unit, round_unit = step.groups()
        unit_name = _UNITS.get(unit or round_unit or "")
        if unit_name is None:
            raise SearchQueryError(f"Unknown date math unit in {value!r}: {unit or round_unit}")
        if round_unit:
            result = _round_down(result, unit_name)
        else:
            count = int(amount) * (1 if sign == "+" else -1)
            if unit_name == "microseconds":
                count *= 1000
            try:
                shift: dict[str, Any] = {unit_name: count}
                result = result + relativedelta(**shift)
            except (OverflowError, ValueError) as error:
                raise SearchQueryError(
                    f"Date math out of range in {value!r}: {step.group(0)!r}"
                ) from error
        position = step.end()
    return result


def _round_down(value: dt.datetime, unit: str) -> dt.datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds", "microseconds"]
    keep = order.index(unit)
    fields = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    names = ["month", "day", "hour", "minute", "second", "microsecond"]
    replace: dict[str, Any] = {
        name: fields[name] for index, name in enumerate(names) if index >= keep
    }
    return value.replace(**replace)


# bad input (docs/security.md "Bad input"): deeper queries are refused before parsing
MAX_NESTING = 50


class RefusedQuery(SearchQueryError):
    """A query refused as a whole (a NUL, deep nesting), never searched as plain words."""


def check_text(value: str, param: str) -> None:
    """Refuse a NUL character (PostgreSQL text cannot hold one)."""
    if "\x00" in value:
        raise RefusedQuery(f"Invalid {param!r} parameter: it contains a NUL character")


def nesting_depth(query: str) -> int:
    """How deeply parentheses and range brackets nest outside quoted phrases."""
    depth = deepest = 0
    quoted = escaped = False
    for char in query:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(0, depth - 1)
    return deepest


@contextlib.contextmanager
def _naming(param: str) -> Iterator[None]:
    """Errors raised while compiling a parameter name it."""
    try:
        yield
    except SearchQueryError as error:
        if param in str(error):
            raise
        raise type(error)(f"{param}: {error}") from error
    except RecursionError as error:
        raise RefusedQuery(f"{param} is nested too deeply") from error


@functools.lru_cache(maxsize=4096)
def _parsed(query: str) -> tree.Item:
    """The luqum tree of a query string, parsed once per process.

    The same filters arrive on every request (CKAN's ``+capacity:public
    +state:active …``, the API's type filters): parsing is the costly part of
    compiling them. Trees are only read by the compiler, never changed, so one
    tree may serve several threads. Failures are not cached (exceptions pass
    through ``lru_cache``).
    """
    with _PARSER_LOCK:  # luqum's PLY parser keeps its state on one shared object
        return lucene_parser.parse(query)


@dataclass
class Sql:
    """A compiled node: an SQL predicate, or a tsquery over ``d.tsv``."""

    predicate: str = ""
    tsquery: str = ""  # SQL expression of type tsquery, when this node is pure full text
    # (column SQL, value) when the node is one equality on a column or array field
    equality: tuple[str, str] | None = None
    # the node as a set expression the process's bitmaps can evaluate (``memory_plan``),
    # or None when only SQL can: ("all",), ("none",), ("text", tsquery SQL),
    # ("column", name, value), ("facet", field, value), ("and" | "or", [...]), ("not", x)
    bits: Any = None

    def as_predicate(self) -> str:
        if self.tsquery:
            return f"d.tsv @@ ({self.tsquery})"
        return self.predicate


TRUE = Sql(predicate="TRUE", bits=("all",))
FALSE = Sql(predicate="FALSE", bits=("none",))
# columns with few values, kept as bitmaps per value (``memory_plan``)
BITMAP_COLUMNS = {
    "site_id",
    "state",
    "capacity",
    "dataset_type",
    "entity_type",
    "permission_labels",
}


@dataclass
class Compiler:
    """Compiles query strings to SQL; collects bind parameters and ranking inputs."""

    params: dict[str, Any] = field(default_factory=dict)
    rank_tsqueries: list[str] = field(default_factory=list)
    exact_words: list[str] = field(default_factory=list)
    similarity_terms: list[str] = field(default_factory=list)
    spatial: list[tuple[str, str]] = field(default_factory=list)
    # ``qf`` of a dismax query when it is not the default: (field, boost) pairs
    qf_fields: list[tuple[str, float]] = field(default_factory=list)
    # ts_rank weights {D, C, B, A}; from the ``qf`` boosts when ``qf`` is given
    rank_weights: str = text.RANK_WEIGHTS
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    # set while compiling: a predicate written so far matches the GIN-indexed vector
    # ``d.tsv`` (the planner then leaves the spatial box index alone, connection.py)
    matches_text_index: bool = False
    # per compiled ``q`` / ``fq``, in order: its set expression (``Sql.bits``), or None
    bit_exprs: list[Any] = field(default_factory=list)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def predicate(self, part: Sql) -> str:
        """``part`` as SQL: every compiled node is written out through here (flags)."""
        if part.tsquery:
            self.matches_text_index = True
        return part.as_predicate()

    def top(self, part: Sql) -> str:
        """A whole ``q`` or ``fq`` as SQL; its set expression is kept in :attr:`bit_exprs`."""
        self.bit_exprs.append(part.bits)
        return self.predicate(part)

    # ---------------------------------------------------------------- entry points
    def parse(self, query: str, param: str) -> tree.Item:
        check_text(query, param)
        if nesting_depth(query) > MAX_NESTING:
            raise RefusedQuery(
                f"{param} is nested more than {MAX_NESTING} levels deep (parentheses or brackets)"
            )
        if "&&" in query or "||" in query:
            raise SearchQueryError(
                f"Unsupported operator in {param} {query!r}: use AND / OR instead of && / ||"
            )
        try:
            return _parsed(query)
        except ParseError as error:
            raise SearchQueryError(f"Cannot parse {param} {query!r}: {error}") from error
        except Exception as error:  # ply raises plain exceptions on lexer errors
            raise SearchQueryError(f"Cannot parse {param} {query!r}: {error}") from error

    def filter(self, query: str, param: str = "fq", q_op: str = "AND") -> str:
        """An ``fq`` string as an SQL predicate (filters never rank)."""
        if not query or not query.strip():
            return self.top(TRUE)
        node = self.parse(query, param)
        with _naming(param):
            return self.top(self.compile(node, default_field="text", q_op=q_op, rank=False))

    def query(
        self,
        query: str,
        *,
        def_type: str | None,
        qf: str | None,
        mm: str | None,
        q_op: str,
        default_field: str,
    ) -> str:
        """The ``q`` string as an SQL predicate, collecting ranking inputs."""
        stripped = (query or "").strip()
        if stripped in ("", "*:*", "*", '""', "''"):
            return self.top(TRUE)
        if def_type in ("dismax", "edismax"):
            try:
                node = self.parse(stripped, "q")
            except RefusedQuery:
                raise
            except SearchQueryError:
                # like Solr's dismax, text typed in a search box with stray quotes or
                # brackets is searched as plain words
                words = text.words(stripped)
                if not words:
                    return self.top(TRUE)
                node = self.parse(" ".join(words), "q")
            self.qf_fields = parse_qf(qf)
            if self.qf_fields:
                self.rank_weights = rank_weights_for(self.qf_fields)
            with _naming("q"):
                return self.top(self.dismax(node, mm or DEFAULT_MM, q_op))
        node = self.parse(stripped, "q")
        with _naming("q"):
            return self.top(self.compile(node, default_field=default_field, q_op=q_op, rank=True))

    # ---------------------------------------------------------------- dismax
    def dismax(self, node: tree.Item, mm: str, q_op: str) -> Sql:
        """Top-level clauses with Solr's minimum-should-match over the optional ones."""
        default = QF_FIELD if self.qf_fields else "text"
        clauses = list(node.children) if isinstance(node, tree.UnknownOperation) else [node]
        if not isinstance(node, tree.UnknownOperation):
            return self.compile(node, default_field=default, q_op=q_op, rank=True)
        required: list[Sql] = []
        prohibited: list[Sql] = []
        optional: list[Sql] = []
        for clause in clauses:
            if isinstance(clause, tree.Plus):
                required.append(self.compile(clause.a, default, q_op, True))
            elif isinstance(clause, (tree.Prohibit, tree.Not)):
                prohibited.append(self.compile(clause.a, default, q_op, False))
            else:
                optional.append(self.compile(clause, default, q_op, True))
        parts = list(required)
        if optional:
            needed = minimum_should_match(mm, len(optional))
            if required and needed == 0:
                pass
            else:
                parts.append(self.at_least(optional, max(needed, 1)))
        result = self.all_of(parts) if parts else TRUE
        for excluded in prohibited:
            result = self.all_of([result, self.negate(excluded)])
        return result

    def at_least(self, clauses: list[Sql], needed: int) -> Sql:
        if needed >= len(clauses):
            return self.all_of(clauses)
        if needed <= 1:
            return self.any_of(clauses)
        if len(clauses) <= 6:
            return self.any_of(
                [self.all_of(list(combo)) for combo in combinations(clauses, needed)]
            )
        counted = " + ".join(f"(({self.predicate(c)}))::int" for c in clauses)
        prefilter = self.predicate(self.any_of(clauses))
        return Sql(predicate=f"(({prefilter}) AND ({counted}) >= {int(needed)})")

    # ---------------------------------------------------------------- boolean structure
    def compile(self, node: tree.Item, default_field: str, q_op: str, rank: bool) -> Sql:
        if isinstance(node, tree.SearchField):
            return self.field_expr(node.name, node.expr, q_op, rank)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self.compile(node.expr, default_field, q_op, rank)
        if isinstance(node, tree.AndOperation):
            return self.boolean(node.children, "AND", default_field, rank)
        if isinstance(node, tree.OrOperation):
            return self.boolean(node.children, "OR", default_field, rank)
        if isinstance(node, tree.UnknownOperation):
            return self.boolean(node.children, q_op.upper(), default_field, rank)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return self.negate(self.compile(node.a, default_field, q_op, False))
        if isinstance(node, tree.Plus):
            return self.compile(node.a, default_field, q_op, rank)
        if isinstance(node, tree.Boost):
            # boosts change ranking only; field weights already rank
            return self.compile(node.expr, default_field, q_op, rank)
        return self.field_expr(default_field, node, q_op, rank)

    def boolean(self, children: Any, operator: str, default_field: str, rank: bool) -> Sql:
        required, prohibited, optional = [], [], []
        for child in children:
            if isinstance(child, tree.Plus):
                required.append(self.compile(child.a, default_field, operator, rank))
            elif isinstance(child, tree.Prohibit) or (
                isinstance(child, tree.Not) and operator == "AND"
            ):
                prohibited.append(self.compile(child.a, default_field, operator, False))
            else:
                optional.append(self.compile(child, default_field, operator, rank))
        if required:
            positive = self.all_of(required)
        elif optional:
            positive = self.all_of(optional) if operator == "AND" else self.any_of(optional)
        else:
            positive = TRUE  # a purely negative query keeps everything but the excluded
        if required and optional and operator == "AND":
            positive = self.all_of(required + optional)
        for excluded in prohibited:
            positive = self.all_of([positive, self.negate(excluded)])
        return positive

    def all_of(self, parts: list[Sql]) -> Sql:
        parts = [p for p in parts if p is not TRUE]
        if not parts:
            return TRUE
        if len(parts) == 1:
            return parts[0]
        if all(p.tsquery for p in parts):
            # one tsquery: its set is what PostgreSQL makes of the whole (an empty part
            # of ``&&`` leaves the other), so it is one text term
            tsquery = " && ".join(f"({p.tsquery})" for p in parts)
            return Sql(tsquery=tsquery, bits=("text", tsquery))
        bits = _combined("and", parts)
        return Sql(
            predicate="(" + " AND ".join(f"({self.predicate(p)})" for p in parts) + ")", bits=bits
        )

    def any_of(self, parts: list[Sql]) -> Sql:
        if any(p is TRUE for p in parts):
            return TRUE
        if len(parts) == 1:
            return parts[0]
        if all(p.tsquery for p in parts):
            tsquery = " || ".join(f"({p.tsquery})" for p in parts)
            return Sql(tsquery=tsquery, bits=("text", tsquery))
        bits = _combined("or", parts)
        equalities = [p.equality for p in parts]
        if all(equalities) and len({e[0] for e in equalities if e}) == 1:
            column = equalities[0][0] if equalities[0] else ""
            values = [self.bind(e[1]) for e in equalities if e]
            if column == "d.permission_labels":
                return Sql(predicate=f"{LABELS} && ARRAY[{', '.join(values)}]::text[]", bits=bits)
            if column.startswith("d."):
                return Sql(predicate=f"{column} IN ({', '.join(values)})", bits=bits)
        return Sql(
            predicate="(" + " OR ".join(f"({self.predicate(p)})" for p in parts) + ")", bits=bits
        )

    def negate(self, part: Sql) -> Sql:
        if part is TRUE:
            return FALSE
        return Sql(
            predicate=f"NOT coalesce(({self.predicate(part)}), FALSE)",
            bits=None if part.bits is None else ("not", part.bits),
        )

    # ---------------------------------------------------------------- fields
    def field_expr(self, name: str, node: tree.Item, q_op: str, rank: bool) -> Sql:
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self.field_expr(name, node.expr, q_op, rank)
        if isinstance(node, tree.BaseOperation):
            # field:(a OR b) distributes the field over the operands
            children = []
            for child in node.children:
                children.append(_with_field(name, child))
            rebuilt = type(node)(*children)
            return self.compile(rebuilt, name, q_op, rank)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return self.negate(self.field_expr(name, node.a, q_op, False))
        if isinstance(node, tree.Plus):
            return self.field_expr(name, node.a, q_op, rank)
        if isinstance(node, tree.Boost):
            return self.field_expr(name, node.expr, q_op, rank)
        if isinstance(node, tree.Fuzzy):
            raise SearchQueryError(f"Fuzzy search is not supported: {str(node).strip()!r}")
        if isinstance(node, tree.Proximity):
            raise SearchQueryError(f"Proximity search is not supported: {str(node).strip()!r}")
        if isinstance(node, tree.Regex):
            raise SearchQueryError(f"Regular expression search is not supported: {str(node)!r}")
        if isinstance(node, (tree.From, tree.To)):
            bound = node.a.value if hasattr(node.a, "value") else str(node.a)
            if isinstance(node, tree.From):
                return self.range(name, bound, "*", node.include, True)
            return self.range(name, "*", bound, True, node.include)
        if isinstance(node, tree.Range):
            return self.range(
                name,
                _term_value(node.low),
                _term_value(node.high),
                node.include_low,
                node.include_high,
            )
        if isinstance(node, tree.SearchField):
            raise SearchQueryError(
                f"Nested field in {name}: {str(node).strip()!r} is not supported"
            )
        if isinstance(node, tree.Phrase):
            return self.term(name, _phrase_value(node), phrase=True, rank=rank)
        if isinstance(node, tree.Word):
            return self.term(name, node.unescaped_value, phrase=False, rank=rank)
        raise SearchQueryError(f"Unsupported query syntax: {str(node).strip()!r}")

    def term(self, name: str, value: str, *, phrase: bool, rank: bool) -> Sql:
        if name == "*" and value == "*":
            return TRUE
        wildcard = not phrase and ("*" in value or "?" in value)
        if name in SPATIAL_FIELDS:
            self.spatial.append((name, value))
            return TRUE
        if name == QF_FIELD:
            return self.any_of(
                [
                    self.qf_term(qf_name, value, phrase=phrase, rank=rank)
                    for qf_name, _boost in self.qf_fields
                ]
            )
        if name in ("text", "_text_") or name in ("", None):
            return self.full_text(value, phrase=phrase, wildcard=wildcard, rank=rank)
        if name in NGRAM_FIELDS:
            return self.similar(value)
        if is_text_field(name):
            return self.text_field(name, value, phrase=phrase, wildcard=wildcard, rank=rank)
        if is_date_field(name) and not wildcard:
            return self.range(name, value, value, True, True)
        return self.string_field(name, value, wildcard=wildcard)

    def qf_term(self, name: str, value: str, *, phrase: bool, rank: bool) -> Sql:
        """A word of a dismax ``q`` matched in one ``qf`` field.

        ``text`` is the whole weighted vector; ``title`` and the other tokenized
        fields match their own words (folded, stemmed); tags, groups, organization
        and the English title match the words of their weight class of the vector
        (folded, so ``qf=tags`` finds the tag ``lặn biển`` for ``lan bien``); any
        other field is a string field (exact value), as in CKAN's Solr schema.
        """
        wildcard = not phrase and ("*" in value or "?" in value)
        if name in ("text", "_text_"):
            return self.full_text(value, phrase=phrase, wildcard=wildcard, rank=rank)
        weight = WEIGHT_OF_FIELD.get(name)
        if weight and name not in ("name", "title") and not wildcard:
            matched = self.full_text(value, phrase=phrase, wildcard=False, rank=rank)
            if not matched.tsquery:
                return matched
            self.matches_text_index = True
            return Sql(
                predicate=f"(d.tsv @@ ({matched.tsquery}) AND "
                f"ts_filter(d.tsv, '{{{weight.lower()}}}') @@ ({matched.tsquery}))"
            )
        return self.term(name, value, phrase=phrase, rank=rank)

    # full text over the weighted vector
    def full_text(self, value: str, *, phrase: bool, wildcard: bool, rank: bool) -> Sql:
        folded = text.fold(value)
        if value.strip() == "*":
            return TRUE
        if wildcard:
            stem = folded.rstrip("*")
            if "*" in stem or "?" in stem or not stem:
                raise SearchQueryError(
                    f"Only trailing wildcards are supported in text search: {value!r}"
                )
            words = text.words(stem)
            if not words:
                return FALSE
            query = " & ".join(f"{_lexeme(w)}" for w in words[:-1])
            query = (query + " & " if query else "") + f"{_lexeme(words[-1])}:*"
            tsquery = f"to_tsquery('simple', {self.bind(query)})"
        elif phrase:
            p = self.bind(folded)
            tsquery = f"(phraseto_tsquery('simple', {p}) || phraseto_tsquery('english', {p}))"
        else:
            if not text.words(folded):
                return TRUE  # punctuation only: Solr drops it
            p = self.bind(folded)
            tsquery = f"(plainto_tsquery('simple', {p}) || plainto_tsquery('english', {p}))"
        if rank:
            self.rank_tsqueries.append(tsquery)
            self.exact_words.extend(text.words(text.exact(value.rstrip("*"))))
        return Sql(tsquery=tsquery, bits=("text", tsquery))

    def text_field(self, name: str, value: str, *, phrase: bool, wildcard: bool, rank: bool) -> Sql:
        folded = text.fold(value)
        words = text.words(folded.replace("*", " ").replace("?", " "))
        if not words:
            return TRUE if not wildcard else self.exists(name)
        if wildcard and not folded.rstrip("*").replace("*", "") == folded.rstrip("*"):
            raise SearchQueryError(f"Only trailing wildcards are supported in {name}: {value!r}")
        source = f"(d.text_fields->>{self.bind(name)})"
        if wildcard:
            pattern = r"\m" + r"\W+".join(re.escape(w) for w in words)
            predicate = f"{source} ~ {self.bind(pattern)}"
            prefilter = self.full_text(value, phrase=False, wildcard=True, rank=rank)
        else:
            # words of the field, folded and stemmed like the full text (title:hotels
            # finds "hotel", as Solr's text fields do)
            prefilter = self.full_text(" ".join(words), phrase=phrase, wildcard=False, rank=rank)
            field_vector = (
                f"(to_tsvector('simple', coalesce({source}, '')) || "
                f"to_tsvector('english', coalesce({source}, '')))"
            )
            predicate = f"{field_vector} @@ ({prefilter.tsquery})"
        # the full-text index narrows the candidates first
        return Sql(predicate=f"(({self.predicate(prefilter)}) AND {predicate})")

    def similar(self, value: str) -> Sql:
        folded = text.fold(value).strip()
        if not folded:
            return TRUE
        p = self.bind(folded)
        like = self.bind("%" + _like_escape(folded) + "%")
        self.similarity_terms.append(p)
        return Sql(predicate=f"(d.suggest LIKE {like} OR {p} <% d.suggest)")

    # exact string fields
    def string_field(self, name: str, value: str, *, wildcard: bool) -> Sql:
        if name == "permission_labels" and not wildcard:
            return Sql(
                predicate=f"{LABELS} @> ARRAY[{self.bind(value)}]::text[]",
                equality=("d.permission_labels", value),
                bits=("column", name, value),
            )
        column = COLUMN_FIELDS.get(name)
        if wildcard:
            if value == "*":
                return self.exists(name)
            if "?" in value.rstrip("*") or "*" in value.rstrip("*"):
                raise SearchQueryError(
                    f"Only trailing wildcards are supported in {name}: {value!r}"
                )
            like = self.bind(_like_escape(value.rstrip("*")) + "%")
            if column:
                return Sql(predicate=f"{column} LIKE {like}")
            return Sql(
                predicate=f"EXISTS (SELECT 1 FROM {self.values(name)} v WHERE v LIKE {like})"
            )
        if column:
            return Sql(
                predicate=f"{column} = {self.bind(value)}",
                equality=(column, value),
                bits=("column", name, value) if name in BITMAP_COLUMNS else None,
            )
        if value.lower() in ("true", "false"):
            # booleans are indexed as true/false
            value = value.lower()
        contained = self.bind(json.dumps({name: [value]}))
        # facet fields are also in the small inline ``facet_terms`` (no TOAST read on recheck)
        if index_fields.not_faceted(name):
            return Sql(predicate=f"d.terms @> CAST({contained} AS jsonb)")
        return Sql(
            predicate=f"d.facet_terms @> CAST({contained} AS jsonb)", bits=("facet", name, value)
        )

    def exists(self, name: str) -> Sql:
        column = COLUMN_FIELDS.get(name) or DATE_COLUMNS.get(name)
        if column:
            return Sql(predicate=f"{column} IS NOT NULL")
        if name == "permission_labels":
            return Sql(predicate="cardinality(d.permission_labels) > 0")
        key = self.bind(name)
        return Sql(predicate=f"(d.doc ? {key} AND d.doc->{key} NOT IN ('null', '\"\"', '[]'))")

    def values(self, name: str) -> str:
        """SQL set of the text values of a field (multi-valued or not)."""
        key = self.bind(name)
        return (
            f"jsonb_array_elements_text(CASE jsonb_typeof(d.doc->{key}) WHEN 'array' "
            f"THEN d.doc->{key} ELSE jsonb_build_array(d.doc->{key}) END)"
        )

    # ranges
    def range(self, name: str, low: str, high: str, include_low: bool, include_high: bool) -> Sql:
        low_open, high_open = low == "*", high == "*"
        if low_open and high_open:
            return self.exists(name)
        if is_date_field(name) or _looks_like_date(low) or _looks_like_date(high):
            return self.date_range(name, low, high, include_low, include_high)
        numbers = [b for b in (low, high) if b != "*"]
        if all(_is_number(b) for b in numbers):
            return self.compare(
                name,
                low,
                high,
                include_low,
                include_high,
                cast="khtourism_search_try_num({})",
                convert=float,
            )
        return self.compare(name, low, high, include_low, include_high, cast="{}", convert=str)

    def date_range(
        self, name: str, low: str, high: str, include_low: bool, include_high: bool
    ) -> Sql:
        low_value = None if low == "*" else parse_date_math(low, self.now)
        high_value = None if high == "*" else parse_date_math(high, self.now)
        column = DATE_COLUMNS.get(name)
        conditions = []
        target = column or "khtourism_search_try_ts(v)"
        if low_value is not None:
            conditions.append(f"{target} {'>=' if include_low else '>'} {self.bind(low_value)}")
        if high_value is not None:
            conditions.append(f"{target} {'<=' if include_high else '<'} {self.bind(high_value)}")
        condition = " AND ".join(conditions)
        if column:
            return Sql(predicate=f"({condition})")
        return Sql(predicate=f"EXISTS (SELECT 1 FROM {self.values(name)} v WHERE {condition})")

    def compare(
        self,
        name: str,
        low: str,
        high: str,
        include_low: bool,
        include_high: bool,
        *,
        cast: str,
        convert: Any,
    ) -> Sql:
        column = COLUMN_FIELDS.get(name)
        target = cast.format(column if column else "v")
        conditions = []
        if low != "*":
            conditions.append(f"{target} {'>=' if include_low else '>'} {self.bind(convert(low))}")
        if high != "*":
            conditions.append(
                f"{target} {'<=' if include_high else '<'} {self.bind(convert(high))}"
            )
        condition = " AND ".join(conditions)
        if column:
            return Sql(predicate=f"({condition})")
        return Sql(predicate=f"EXISTS (SELECT 1 FROM {self.values(name)} v WHERE {condition})")


def _combined(operator: str, parts: list[Sql]) -> Any:
    """The set expression of ``parts`` joined by ``operator``; None if one part has none."""
    if any(p.bits is None for p in parts):
        return None
    return (operator, [p.bits for p in parts])


def parse_qf(qf: str | None) -> list[tuple[str, float]]:
    """``qf`` as (field, boost) pairs; empty for the default (the weighted vector)."""
    spec = " ".join(str(qf or "").split())
    if not spec or spec == DEFAULT_QF:
        return []
    result = []
    for item in spec.split(" "):
        name, _, boost = item.partition("^")
        if not name or not (name.replace("_", "").isalnum()):
            raise SearchQueryError(f"qf: invalid field {item!r}")
        try:
            value = float(boost) if boost else 1.0
        except ValueError as error:
            raise SearchQueryError(f"qf: invalid boost in {item!r}") from error
        if value <= 0:
            raise SearchQueryError(f"qf: the boost of {name} must be positive")
        result.append((name, value))
    return result


def rank_weights_for(qf_fields: list[tuple[str, float]]) -> str:
    """ts_rank weights {D, C, B, A} from the ``qf`` boosts of the fields of each class."""
    boosts = {"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0}
    text_boost = 0.0
    for name, boost in qf_fields:
        if name in ("text", "_text_"):
            text_boost = max(text_boost, boost)
        else:
            letter = WEIGHT_OF_FIELD.get(name, "D")
            boosts[letter] = max(boosts[letter], boost)
    # ``text`` holds every field: its boost is the floor of every class
    boosts = {letter: max(value, text_boost) for letter, value in boosts.items()}
    top = max(boosts.values()) or 1.0
    return (
        "{" + ", ".join(f"{max(boosts[letter], 0.01 * top) / top:.4g}" for letter in "DCBA") + "}"
    )


def minimum_should_match(spec: str, optional: int) -> int:
    """Solr's ``mm``: e.g. ``2<-1 5<80%`` (all up to 2, all but one up to 5, then 80 %)."""
    spec = (spec or "").strip()
    if not spec:
        return optional
    conditions = spec.split()
    if all("<" in c for c in conditions):
        needed = optional
        for condition in conditions:
            threshold, rule = condition.split("<", 1)
            if optional > int(threshold):
                needed = _mm_rule(rule, optional)
        return needed
    return _mm_rule(conditions[0], optional)


def _mm_rule(rule: str, optional: int) -> int:
    try:
        if rule.endswith("%"):
            percent = int(rule[:-1])
            amount = int(optional * abs(percent) / 100)
            needed = optional - amount if percent < 0 else amount
        else:
            number = int(rule)
            needed = optional + number if number < 0 else number
    except ValueError as error:
        raise SearchQueryError(f"Invalid mm (minimum should match) value: {rule!r}") from error
    return max(0, min(optional, needed))


def _with_field(name: str, node: tree.Item) -> tree.Item:
    if isinstance(node, (tree.Term, tree.Range, tree.Fuzzy, tree.Proximity, tree.From, tree.To)):
        return tree.SearchField(name, node)
    if isinstance(node, tree.UnaryOperator):
        return type(node)(_with_field(name, node.a))
    if isinstance(node, tree.Boost):
        return _with_field(name, node.expr)
    if isinstance(node, (tree.Group, tree.FieldGroup)):
        return tree.Group(_with_field(name, node.expr))
    if isinstance(node, tree.BaseOperation):
        return type(node)(*[_with_field(name, c) for c in node.children])
    return node


def _term_value(node: tree.Item) -> str:
    if isinstance(node, tree.Phrase):
        return _phrase_value(node)
    if isinstance(node, tree.Word):
        return node.unescaped_value
    raise SearchQueryError(f"Unsupported range bound: {str(node)!r}")


def _phrase_value(node: tree.Phrase) -> str:
    value = node.value
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value.replace('\\"', '"').replace("\\\\", "\\")


def _lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _looks_like_date(value: str) -> bool:
    upper = value.upper()
    return upper.startswith("NOW") or bool(re.match(r"^\d{4}-\d{2}-\d{2}T", value))
