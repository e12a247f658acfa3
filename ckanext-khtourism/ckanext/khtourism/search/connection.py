"""A pysolr-shaped connection backed by PostgreSQL.

CKAN (``PackageSearchIndex``, ``PackageSearchQuery``, ``clear_index``) and
ckanext-harvest talk to the object ``make_connection()`` returns with
``add(docs=…, commit=…)``, ``delete(q=… | id=…)``, ``commit()`` and
``search(q, **params)``. :class:`PostgresConnection` answers those calls with
the same shapes pysolr gives (``pysolr.Results`` with ``hits``, ``docs`` and
Solr's flat ``facet_fields`` lists), so every caller keeps working unchanged.

All SQL runs on ``model.Session``: index writes share the dataset's
transaction; ``commit()`` commits it (as a Solr commit makes writes visible).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

import pysolr
import sqlalchemy as sa

from ckan.lib.search.common import SearchError, SearchQueryError, solr_datetime_decoder

from . import boost, cache, facet_bitmaps, index, memory_plan, parse, replicas, spatial, text
from .fields import SORT_COLUMNS, not_faceted

log = logging.getLogger(__name__)

STORED_DICTS = index.STORED_DICTS
# Fields of Solr's date type in CKAN's schema (besides the dynamic ``*_date``)
SOLR_DATE_FIELDS = frozenset({"metadata_created", "metadata_modified", "indexed_ts"})
_DATE = re.compile(r"^(?P<seconds>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?Z$")
MAX_ROWS = 100_000
# Memory for one search statement (the materialised hits, sorts, facet counts).
WORK_MEM = "32MB"


def _session() -> Any:
    from ckan import model

    return model.Session


# CKAN indexes inside ``before_commit`` of the dataset's own transaction; a
# ``commit=True`` from there must not (and need not) commit again. Elsewhere
# (``ckan search-index clear <name>``, harvest_source_clear …) ``commit=True``
# commits, as a Solr commit makes the change visible at once.
_COMMITTING = "khtourism_search_committing"


def _mark_committing(session: Any) -> None:
    session.info[_COMMITTING] = True


def _unmark_committing(session: Any, *_args: Any) -> None:
    session.info.pop(_COMMITTING, None)


def _after_commit(session: Any) -> None:
    _unmark_committing(session)
    cache.session_committed(session)


def _after_rollback(session: Any, *_args: Any) -> None:
    _unmark_committing(session)
    cache.session_rolled_back(session)


_TRACK_LOCK = threading.Lock()


def track_commits() -> None:
    """Register the commit listeners on CKAN's sessions (idempotent, thread-safe).

    Called once when the engine is installed (``search.install``, at plugin import), before
    any session commits. Never from inside a commit: CKAN indexes a dataset in the
    ``before_commit`` of its own transaction, where the first connection used to be made;
    adding a ``before_commit`` listener while SQLAlchemy iterates that event's listeners
    raised ``RuntimeError: deque mutated during iteration`` (the first
    ``harvest_source_create`` after start answered 500 although the source was saved).
    """
    from ckan.model import meta

    with _TRACK_LOCK:
        for target in (meta.Session, meta.create_local_session):
            if not sa.event.contains(target, "before_commit", _mark_committing):
                sa.event.listen(target, "before_commit", _mark_committing, insert=True)
                sa.event.listen(target, "after_commit", _after_commit)
                for name in ("after_rollback", "after_soft_rollback"):
                    sa.event.listen(target, name, _after_rollback)


def _commit_if_asked(commit: bool) -> None:
    session = _session()
    if commit and not session.info.get(_COMMITTING):
        session.commit()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _int(name: str, value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise SearchQueryError(f"{name} must be an integer, got {value!r}") from error


class PostgresConnection:
    """What ``ckan.lib.search.common.make_connection()`` returns when the engine is ``postgres``."""

    url = "postgresql://khtourism-search"

    def __init__(self, decode_dates: bool = True) -> None:
        # (the commit listeners are registered by ``search.install``, never from here: a
        # connection is made inside ``before_commit``)
        self.decode_dates = decode_dates

    # ------------------------------------------------------------------ writes
    def add(self, docs: Iterable[dict[str, Any]], commit: bool = True, **_kwargs: Any) -> str:
        try:
            count = index.upsert(_session(), docs)
        except SearchError:
            raise
        except Exception as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise pysolr.SolrError(f"PostgreSQL search index write failed: {reason}") from error
        log.debug("Indexed %d document(s)", count)
        facet_bitmaps.BITMAPS.trim(_session())
        _commit_if_asked(commit)
        return ""

    def delete(
        self, id: Any = None, q: str | None = None, commit: bool = True, **_kwargs: Any
    ) -> str:
        if id is None and q is None:
            raise ValueError('You must specify "id" or "q".')
        session = _session()
        if id is not None:
            index.delete_ids(session, _as_list(id))
        if q is not None:
            compiler = parse.Compiler()
            predicate = compiler.filter(q, "q") if q.strip() not in ("*:*", "*") else "TRUE"
            index.delete_where(session, predicate, compiler.params)
        _commit_if_asked(commit)
        return ""

    def commit(self, **_kwargs: Any) -> str:
        _session().commit()
        return ""

    def optimize(self, **_kwargs: Any) -> str:
        return ""

    def ping(self, **_kwargs: Any) -> str:
        _session().execute(sa.text(f"SELECT 1 FROM {index.TABLE} LIMIT 1"))
        return "OK"

    # ------------------------------------------------------------------ search
    def search(
        self, q: str | None = None, search_handler: str | None = None, **params: Any
    ) -> pysolr.Results:
        plan = QueryPlan(q, params)
        decoded = plan.execute(_session())
        return pysolr.Results(_solr_dates(decoded, self.decode_dates))


def _pg_polygon(polygon: Any) -> str:
    """A shapely Polygon's exterior ring as PostgreSQL's ``polygon`` literal."""
    return "(" + ",".join(f"({x!r},{y!r})" for x, y, *_ in polygon.exterior.coords) + ")"


def _solr_date(value: str) -> str:
    """A stored date as Solr returns it: milliseconds at most (Solr keeps no more),
    no fraction when it is zero."""
    match = _DATE.match(value)
    if not match:
        return value
    milliseconds = (match.group("fraction") or "").ljust(3, "0")[:3]
    return (
        f"{match.group('seconds')}.{milliseconds}Z"
        if int(milliseconds)
        else f"{match.group('seconds')}Z"
    )


def exact_metadata_modified(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (a stored copy, ``fl=*``) with ``metadata_modified`` as its dataset
    dict had it when indexed: CKAN's ``isoformat()`` of the database's value, to the
    microsecond (see ``search.get_index`` in ``compat/registry.py``)."""
    stored = document.get("data_dict")
    if isinstance(stored, str):
        exact = json.loads(stored).get("metadata_modified")
        if isinstance(exact, str) and exact:
            document["metadata_modified"] = exact
    return document


def _solr_dates(result: dict[str, Any], decode_dates: bool) -> dict[str, Any]:
    """Date fields of the returned documents as Solr gives them; with ``decode_dates``
    (CKAN's default connection) as datetimes, as CKAN's decoder makes them."""
    for doc in result["response"]["docs"]:
        for name, value in doc.items():
            if isinstance(value, str) and (name in SOLR_DATE_FIELDS or name.endswith("_date")):
                doc[name] = _solr_date(value)
        if decode_dates:
            solr_datetime_decoder(doc)
    return result


class QueryPlan:
    """One Solr request compiled to one SQL statement."""

    def __init__(self, q: str | None, params: dict[str, Any]) -> None:
        self.params = params
        for name, value in [("q", q), *params.items()]:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, str):
                    parse.check_text(item, name)
        self.compiler = parse.Compiler()
        q_op = str(params.get("q.op") or "AND").upper()
        if q_op not in ("AND", "OR"):
            raise SearchQueryError(f"q.op must be AND or OR, got {q_op!r}")
        def_type = params.get("defType")
        query = q if q is not None else params.get("q")
        predicates = [
            self.compiler.query(
                query or "*:*",
                def_type=def_type,
                qf=params.get("qf"),
                mm=params.get("mm"),
                q_op=q_op,
                default_field=params.get("df") or "text",
            )
        ]
        # CKAN copies fq_list into fq (a list) and also passes fq_list on (Solr ignores
        # it): each distinct filter is applied once
        filters: dict[str, str] = {}
        for name in ("fq", "fq_list"):
            for value in _as_list(params.get(name)):
                filters.setdefault(value, name)
        for value, name in filters.items():
            predicates.append(self.compiler.filter(value, name, q_op))
        # the compiler flags what it wrote: a full-text match goes through the GIN index
        self.spatial = spatial.plan(
            self.compiler.spatial,
            self.compiler.bind,
            use_box_index=not self.compiler.matches_text_index,
        )
        predicates.extend(self.spatial.predicates)
        self.where = " AND ".join(f"({p})" for p in predicates if p and p != "TRUE") or "TRUE"
        # the page's candidates when the hits were found in memory (an SQL array)
        self.candidates: str | None = None
        self.rows = max(0, min(_int("rows", params.get("rows"), 10), MAX_ROWS))
        self.start = max(0, _int("start", params.get("start"), 0))
        self.fields = self._fields(params.get("fl"))
        self.score_sql = self._score_sql()
        # set by _order as it writes the sort: the columns the hits must carry
        self.sort_columns: set[str] = set()  # SORT_COLUMNS values
        self.sorts_by_document = False  # a sort on any other field (h.sort_doc)
        self.sort_spec: list[tuple[str, str]] = []  # (field, asc | desc) as written
        self.order_sql = self._order(params.get("sort"))
        self.facet_fields = self._facet_fields()
        # facets counted from this process's bitmaps (facet_bitmaps.py), set by execute
        self.bitmap_facets: list[str] = []
        # the hits found in those bitmaps, when they can be (memory_plan.py)
        self.found: memory_plan.Found | None = None
        self.facet_limit = _int("facet.limit", params.get("facet.limit"), 100)
        self.facet_mincount = _int("facet.mincount", params.get("facet.mincount"), 0)
        self.facet_sort = str(
            params.get("facet.sort")
            or ("count" if self.facet_limit > 0 or self.facet_limit < 0 else "index")
        )
        if self.facet_sort not in ("count", "index"):
            raise SearchQueryError(f"facet.sort must be count or index, got {self.facet_sort!r}")

    # ------------------------------------------------------------------ pieces
    @staticmethod
    def _fields(fl: Any) -> list[str]:
        names: list[str] = []
        for item in _as_list(fl) or ["*", "score"]:
            names.extend(part for part in item.replace(",", " ").split() if part)
        return names

    def _score_sql(self) -> str:
        parts = []
        bind = self.compiler.bind
        weights = self.compiler.rank_weights
        if self.compiler.rank_tsqueries:
            # names, titles and tags rank (small inline vector); a hit in the
            # description only gets a small constant
            combined = " || ".join(f"({t})" for t in self.compiler.rank_tsqueries)
            parts.append(f"ts_rank('{weights}', d.tsv_rank, {combined}, 1)")
            parts.append(str(text.TEXT_ONLY_RANK))
        if self.compiler.exact_words:
            exact_query = " | ".join(
                parse._lexeme(word) for word in dict.fromkeys(self.compiler.exact_words)
            )
            parts.append(
                f"{text.EXACT_BONUS} * ts_rank('{weights}', d.tsv_exact, "
                f"to_tsquery('simple', {bind(exact_query)}), 1)"
            )
        for term in self.compiler.similarity_terms:
            parts.append(f"word_similarity({term}, d.suggest)")
        # Solr's bf adds to the score, edismax's boost multiplies it
        parts.extend(boost.compile_functions("bf", _as_list(self.params.get("bf")), bind))
        score = " + ".join(parts) if parts else "1.0"
        for factor in boost.compile_functions("boost", _as_list(self.params.get("boost")), bind):
            score = f"({score}) * {factor}"
        return score

    def _order(self, sort: Any) -> str:
        clauses = []
        raw = str(sort or "score desc, metadata_modified desc")
        for clause in raw.split(","):
            clause = clause.strip()
            if not clause:
                continue
            words = clause.split()
            name = words[0]
            if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
                # as Solr: "Can't determine a Sort Order (asc or desc) in sort spec"
                raise SearchQueryError(
                    f'Invalid "sort" parameter: {clause!r} (a field and asc or desc)'
                )
            direction = words[1].lower()
            self.sort_spec.append((name, direction))
            nulls = "NULLS LAST"
            if name == "score":
                expression = "h.score"
            elif name == "khtourism_distance":
                if not self.spatial.distance_sql:
                    continue
                expression = "h.distance"
            elif name == "khtourism_overlap":
                if not self.spatial.overlap_sql:
                    continue
                expression = "h.overlap"
            elif name in SORT_COLUMNS:
                self.sort_columns.add(SORT_COLUMNS[name])
                expression = f"h.s_{SORT_COLUMNS[name]}"
            elif name.replace("_", "").isalnum():
                self.sorts_by_document = True
                expression = f"(h.sort_doc->>{self.compiler.bind(name)})"
            else:
                raise SearchQueryError(f'Invalid "sort" parameter: {clause!r}')
            clauses.append(f"{expression} {direction.upper()} {nulls}")
        clauses.append("h.doc_key ASC")
        return ", ".join(clauses)

    def _facet_fields(self) -> list[str]:
        if str(self.params.get("facet", "false")).lower() not in ("true", "on", "1"):
            return []
        fields = []
        for value in _as_list(self.params.get("facet.field")):
            if value.startswith("["):
                try:
                    fields.extend(json.loads(value))
                    continue
                except ValueError:
                    pass
            fields.append(value)
        return list(dict.fromkeys(fields))

    # ------------------------------------------------------------------ SQL
    def statement(self) -> str:
        hit_columns = ["d.doc_key", f"({self.score_sql}) AS score"]
        for column in set(SORT_COLUMNS.values()):
            if column in self.sort_columns:
                hit_columns.append(f"d.{column} AS s_{column}")
        if self.sorts_by_document:
            hit_columns.append("d.doc AS sort_doc")
        # only the values of the requested facet fields are carried by the hits
        facet_keys = []
        sql_facets = [name for name in self.facet_fields if name not in self.bitmap_facets]
        for number, name in enumerate(sql_facets):
            key = self.compiler.bind(name)
            facet_keys.append(key)
            hit_columns.append(f"d.{self._facet_source(name)}->{key} AS f{number}")
        hit_columns.append(f"{self.spatial.distance_sql or 'NULL::float8'} AS distance")
        hit_columns.append(f"{self.spatial.overlap_sql or 'NULL::float8'} AS overlap")
        needs_doc = any(
            f not in ("id", "name", "score", "distance_m", *STORED_DICTS) for f in self.fields
        )
        page_columns = ["d.id", "d.name", "p.score", "p.distance", "p.ord"]
        if needs_doc:
            page_columns.append("d.doc")
        for stored in STORED_DICTS:
            if stored in self.fields or "*" in self.fields:
                page_columns.append(f"d.{stored}")
        facets_sql = self._facets_sql(facet_keys)
        # the page: a top-k sort of the hits (LIMIT), then numbered — never a window
        # function over every hit, which sorts them all
        # candidates found in memory are read by key first, then checked against the
        # whole WHERE: left to itself the planner may scan a facet's GIN index instead
        # (1,337 rows rechecked for 21 candidates of one commune: 6.3 ms against 0.1 ms)
        source = (
            f"(SELECT * FROM {index.TABLE} WHERE doc_key = ANY({self.candidates}) OFFSET 0) d"
            if self.candidates
            else f"{index.TABLE} d"
        )
        return f"""
        WITH hits AS MATERIALIZED (
            SELECT {", ".join(hit_columns)} FROM {source} WHERE {self.where}
        ), page AS (
            SELECT h.doc_key, h.score, h.distance, row_number() OVER (ORDER BY {self.order_sql}) AS ord
            FROM (SELECT * FROM hits h ORDER BY {self.order_sql}
                  LIMIT {int(self.rows)} OFFSET {int(self.start)}) h
        )
        SELECT (SELECT count(*) FROM hits) AS total,
               (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.ord), '[]') FROM (
                    SELECT {", ".join(page_columns)} FROM page p
                    JOIN {index.TABLE} d ON d.doc_key = p.doc_key) r) AS docs,
               {facets_sql} AS facets,
               {self._hit_keys_sql()} AS hit_keys,
               (SELECT max(score) FROM hits) AS max_score
        """

    def _hit_keys_sql(self) -> str:
        """The hits' keys for counting facets in bitmaps (not when they were found there)."""
        if self.bitmap_facets and self.found is None:
            return facet_bitmaps.keys_sql("hits")
        return "NULL::bytea"

    def _facets_sql(self, facet_keys: list[str]) -> str:
        """Every requested facet counted in one pass over the hits: each hit's values of
        every facet field unnested together, one grouping, then each field's top values.

        The values of a field are distinct within a hit (``index.row_for``), so a count
        is a number of datasets, as in Solr."""
        if not facet_keys:
            return "NULL::jsonb"
        limit = "" if self.facet_limit < 0 else f"WHERE c.rank <= {int(self.facet_limit)}"
        # values by code point (as Solr orders terms, and as facet_bitmaps sorts them)
        order = 'n DESC, v COLLATE "C" ASC' if self.facet_sort == "count" else 'v COLLATE "C" ASC'

        mincount = max(self.facet_mincount, 1)
        values = " UNION ALL ".join(
            f"SELECT {number} AS k, v FROM jsonb_array_elements_text(h.f{number}) v"
            for number in range(len(facet_keys))
        )
        names = f"(ARRAY[{', '.join(f'CAST({key} AS text)' for key in facet_keys)}])"
        return f"""(SELECT jsonb_object_agg({names}[c.k + 1], c.counts) FROM (
                SELECT c.k, jsonb_agg(jsonb_build_array(c.v, c.n) ORDER BY {order}) AS counts
                FROM (
                    SELECT g.k, g.v, g.n, row_number() OVER (PARTITION BY g.k ORDER BY {order}) AS rank
                    FROM (SELECT u.k, u.v, count(*) AS n
                          FROM hits h CROSS JOIN LATERAL ({values}) u
                          GROUP BY u.k, u.v HAVING count(*) >= {int(mincount)}) g
                ) c {limit}
                GROUP BY c.k) c)"""

    @staticmethod
    def _facet_source(name: str) -> str:
        return "terms" if not_faceted(name) else "facet_terms"

    def _polygon_filter(self, session: Any) -> None:
        """Exact polygon test of the SQL candidates, before counting and paging.

        Records whose extent is a point (most of them) are tested in SQL when every
        polygon is simple (one ring, no hole): PostgreSQL's ``point <@ polygon``
        (inside or on the boundary, as shapely's ``intersects``), from the columns the
        covering spatial index holds. The others — areas, or any record when a
        polygon has holes or several parts — are read back and tested with shapely.
        """
        if not self.spatial.polygons:
            return
        bind = self.compiler.bind
        in_sql = ""
        if all(
            polygon.geom_type == "Polygon" and not getattr(polygon, "interiors", None)
            for polygon in self.spatial.polygons
        ):
            is_point = "(d.min_x = d.max_x AND d.min_y = d.max_y)"
            inside = " AND ".join(
                f"point(d.min_x, d.min_y) <@ CAST({bind(_pg_polygon(polygon))} AS polygon)"
                for polygon in self.spatial.polygons
            )
            in_sql = f"({is_point} AND {inside})"
            to_read = f"({self.where}) AND NOT {is_point}"
        else:
            to_read = self.where
        rows = session.execute(
            sa.text(f"SELECT d.doc_key, d.geometry FROM {index.TABLE} d WHERE {to_read}"),
            self.compiler.params,
        ).fetchall()
        keys = [
            key for key, geometry in rows if spatial.intersects_all(geometry, self.spatial.polygons)
        ]
        exact = f"d.doc_key = ANY({bind(keys)})"
        self.where = f"({self.where}) AND ({f'{in_sql} OR {exact}' if in_sql else exact})"

    def execute(self, session: Any, counting_allowed: bool = True) -> dict[str, Any]:
        where = self.where
        self._polygon_filter(session)
        if (
            counting_allowed
            and self.facet_fields
            and facet_bitmaps.enabled()
            and not cache.has_uncommitted_change(session)
        ):
            self.bitmap_facets = facet_bitmaps.BITMAPS.usable(session, self.facet_fields)
        sql = self.statement()
        key = generation = None
        if cache.ttl() > 0 and not cache.has_uncommitted_change(session):
            # (a session with uncommitted index writes sees its own changes: no cache)
            # facets counted here are not in the SQL: what is counted is part of the key
            counted_here = [
                self.bitmap_facets,
                self.facet_limit,
                self.facet_mincount,
                self.facet_sort,
            ]
            key = cache.key_for(
                sql, {**self.compiler.params, "khtourism_bitmap_facets": counted_here}
            )
            cached, generation = cache.lookup(key)
            if cached is not None:
                return cached
        if (
            counting_allowed
            and set(self.bitmap_facets) == set(self.facet_fields)
            and not cache.has_uncommitted_change(session)
            # configured read replicas answer in SQL (their own state, their own lag)
            and (not replicas.urls() or session.info.get(replicas.WROTE))
        ):
            self.found = memory_plan.find(session, self, refreshed=bool(self.bitmap_facets))
            if self.found is not None:
                # only the candidates for the page are read, each checked again in SQL
                self.candidates = f"CAST({self.compiler.bind(self.found.candidates)} AS bigint[])"
                sql = self.statement()
        # The filtered set is materialised once: keep it in memory. Full-text
        # matches go through the GIN index: the planner cannot know that a
        # sequential scan must de-TOAST every row's vector, nor that parallel
        # workers only compete with each other on a small machine. (The settings
        # are sent with the query, one round trip; they last until the end of
        # the request's transaction and suit CKAN's other reads as well.)
        statement = sa.text(
            f"SET LOCAL work_mem = '{WORK_MEM}'; SET LOCAL enable_seqscan = off;"
            f" SET LOCAL max_parallel_workers_per_gather = 0; {sql}"
        )
        try:
            # a hot-standby replica when one is configured and current (replicas.py)
            on_replica, row = replicas.run(
                session,
                lambda connection: connection.execute(statement, self.compiler.params).one(),
            )
            if not on_replica:
                with session.begin_nested():
                    row = session.execute(statement, self.compiler.params).one()
        except sa.exc.DBAPIError as error:
            from ckanext.khtourism.unavailable import is_database_unavailable

            if is_database_unavailable(error):
                raise  # PostgreSQL is down: a 503 (unavailable.py), not a bad query
            log.error("Search SQL failed: %s\n%s", error, sql)
            message = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise SearchError(f"The search engine could not run the query: {message}") from error
        counted: dict[str, list[list[Any]]] = {}
        if self.bitmap_facets:
            from_bitmaps = facet_bitmaps.BITMAPS.counts(
                session,
                self.found.hits if self.found else facet_bitmaps.decode_keys(row.hit_keys),
                self.bitmap_facets,
                limit=self.facet_limit,
                mincount=self.facet_mincount,
                sort=self.facet_sort,
                refresh=self.found is None,
            )
            if from_bitmaps is None:  # a field left the bitmaps meanwhile: count in SQL
                self.bitmap_facets = []
                self.found = None
                self.candidates = None
                self.where = where
                return self.execute(session, counting_allowed=False)
            counted = from_bitmaps
        result = self._decode(row, counted)
        if self.found is not None:
            result["response"]["numFound"] = len(self.found.hits)
        if key is not None:
            # a replica's answer may predate the cache generation (a change committed on
            # the primary, not yet replayed): cached no longer than the lag allowed
            max_ttl = int(replicas.max_lag()) if on_replica else None
            cache.store(key, generation, result, max_ttl=max_ttl)
        return result

    def _decode(self, row: Any, counted: dict[str, list[list[Any]]]) -> dict[str, Any]:
        docs = []
        for item in row.docs or []:
            source = item.get("doc") or {}
            if isinstance(source, str):
                source = json.loads(source)
            doc: dict[str, Any] = {}
            for name in self.fields:
                if name == "*":
                    doc.update(source)
                    for stored in STORED_DICTS:
                        if item.get(stored) is not None:
                            doc[stored] = item[stored]
                elif name == "score":
                    doc["score"] = item.get("score")
                elif name in ("id", "name"):
                    doc[name] = item.get(name)
                elif name in STORED_DICTS:
                    if item.get(name) is not None:
                        doc[name] = item[name]
                elif name == "distance_m":
                    if item.get("distance") is not None:
                        doc[name] = item["distance"]
                elif name in source:
                    doc[name] = source[name]
            if item.get("distance") is not None:
                self._add_distance(doc, float(item["distance"]))
            docs.append(doc)
        facet_fields: dict[str, list[Any]] = {}
        for name in self.facet_fields:
            flat: list[Any] = []
            pairs = counted[name] if name in counted else (row.facets or {}).get(name, [])
            for value, count in pairs:
                flat.extend([value, count])
            facet_fields[name] = flat
        return {
            "response": {
                "numFound": int(row.total),
                "docs": docs,
                "start": self.start,
                "maxScore": None if row.max_score is None else float(row.max_score),
            },
            "facet_counts": {
                "facet_fields": facet_fields,
                "facet_queries": {},
                "facet_ranges": {},
                "facet_intervals": {},
                "facet_heatmaps": {},
            },
            "responseHeader": {"status": 0, "params": {}},
        }

    @staticmethod
    def _add_distance(doc: dict[str, Any], distance: float) -> None:
        """Radius searches return each result's distance (metres) in the dataset dicts."""
        rounded = round(distance, 1)
        doc["distance_m"] = rounded
        for stored in STORED_DICTS:
            if isinstance(doc.get(stored), str):
                doc[stored] = _with_member(doc[stored], "distance_m", rounded)


def _with_member(text: str, name: str, value: Any) -> str:
    """A stored dict's JSON text with one more member, written without reading the whole
    text (CKAN reads it once more for the result): appended before the closing brace. A
    text that already holds the name, or is not an object, is read and written again."""
    body = text.rstrip()
    key = json.dumps(name)
    if not body.endswith("}") or key in body:
        data = json.loads(text)
        data[name] = value
        return json.dumps(data)
    inner = body[:-1].rstrip()
    separator = "" if inner.endswith("{") else ", "
    return f"{inner}{separator}{key}: {json.dumps(value)}}}"
