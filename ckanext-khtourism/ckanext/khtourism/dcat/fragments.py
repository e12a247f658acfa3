"""Per-record fragments of the catalogue (Turtle, RDF/XML, JSON-LD), cached in Redis.

A catalogue page is the catalogue's own description, its Hydra paging and the
descriptions of up to 100 records. The record descriptions only change when
the record does, so each one is cached as a fragment of the page's format
(written with a fixed set of prefixes by :mod:`.turtle` or :mod:`.writers`)
under a key made of the format, the record id and its ``metadata_modified``:
an edit makes a new key, the old one expires. What a record's description
shows of *other* objects (its organization's name, the configured authority,
the API URLs) is refreshed at the latest after
``ckanext.khtourism.dcat.cache_ttl`` seconds.

A record's graph is built once for all the formats asked for at the same time
(the background job that follows a record change writes all three); a
catalogue page with a cold cache builds the graphs of its missing records and
writes only its own format.

Only records returned by the anonymous catalogue search (or the anonymous
``package_show`` of the warm job) are ever rendered, so the cache holds public
descriptions only.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable

from dateutil.parser import parse as dateutil_parse
from rdflib import Graph, URIRef
from redis.exceptions import RedisError

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.dcat.processors import HYDRA, RDFSerializer
from ckanext.dcat.profiles.base import namespaces as DCAT_NAMESPACES

from ckanext.khtourism import compat

from . import turtle, writers
from . import vocabulary as V

log = logging.getLogger(__name__)
VERSION = "2"  # bump when the profile's output changes


def prefixes() -> list[tuple[str, str]]:
    fixed = dict(DCAT_NAMESPACES)
    fixed.update(
        {
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "hydra": str(HYDRA),
            "khtr": str(V.terms_namespace()),
        }
    )
    return [(prefix, str(namespace)) for prefix, namespace in fixed.items()]


def _ttl() -> int:
    return tk.asint(tk.config.get("ckanext.khtourism.dcat.cache_ttl"))


FORMATS = ("ttl", "xml", "jsonld")
FORMAT_ALIASES = {"turtle": "ttl", "rdf": "xml", "pretty-xml": "xml", "json-ld": "jsonld"}


def format_name(_format: str | None) -> str | None:
    """Our name of a catalogue format (None: not one our writers produce)."""
    name = FORMAT_ALIASES.get(_format or "", _format)
    return name if name in FORMATS else None


def _key(_format: str, dataset_dict: dict, profiles: Iterable[str] | None) -> str:
    profile_names = ",".join(profiles or [])
    return (
        f"khtourism:dcat:{_format}:{VERSION}:{V.base_uri()}:{profile_names}:"
        f"{dataset_dict['id']}:{dataset_dict.get('metadata_modified')}"
    )


class _UnboundGraph(Graph):
    """The graph of one record: rdflib's lighter store, no prefix bindings.

    * ``SimpleMemory`` keeps three triple indexes and no named-graph contexts;
      the default ``Memory`` store's context bookkeeping was the largest single
      cost of building a record's graph (~35 % of the CPU per record).
    * ckanext-dcat binds its ~17 namespaces into the graph for every dataset;
      our writers use a fixed prefix list, so those bindings are pure cost.
    """

    def __init__(self) -> None:
        super().__init__(store="SimpleMemory", bind_namespaces="none")

    def bind(self, *args, **kwargs) -> None:  # noqa: D102 - see the class
        return None


_PROFILE_CLASSES: dict[tuple, list] = {}
_CKAN_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")


def _parse_date(value, *args, **kwargs):
    """dateutil's ``parse`` with a fast path for CKAN's own timestamps.

    ckanext-dcat's ``_add_date_triple`` parses ``metadata_created`` and
    ``metadata_modified`` of every dataset with dateutil (~60 µs each) only to
    write them back with ``isoformat()``. For the exact form CKAN stores
    (``YYYY-MM-DDTHH:MM:SS[.ffffff]``) ``datetime.fromisoformat`` gives the
    same datetime; anything else still goes to dateutil.
    """
    if isinstance(value, str) and _CKAN_TIMESTAMP.match(value):
        return datetime.datetime.fromisoformat(value)
    return dateutil_parse(value, *args, **kwargs)


def _install_fast_dates() -> None:
    """ckanext-dcat's ``parse_date`` (dateutil's) gets the fast path (compat entry
    ``dcat.parse_date``)."""
    compat.wrap(
        "dcat.parse_date",
        lambda current: _parse_date if current is dateutil_parse else current,
    )


class Serializer(RDFSerializer):
    """ckanext-dcat's serializer, loading its profile classes once per process
    (the entry-point scan took ~20 ms per instance, twice per page), with the
    fast path for CKAN timestamps (:func:`_parse_date`). Compat entries
    ``dcat.load_profiles`` and ``dcat.parse_date``."""

    def _load_profiles(self, profile_names):
        _install_fast_dates()
        key = tuple(profile_names)
        if key not in _PROFILE_CLASSES:
            _PROFILE_CLASSES[key] = super()._load_profiles(profile_names)
        return _PROFILE_CLASSES[key]


class _Writers:
    """The fragment writers of one page or job, with their shared term caches."""

    def __init__(self) -> None:
        self.namespaces = prefixes()
        self.caches: dict[str, dict] = {name: {} for name in FORMATS}

    def write(self, _format: str, graph: Graph) -> str:
        cache = self.caches[_format]
        if _format == "ttl":
            return turtle.body(graph, self.namespaces, cache)[0]
        if _format == "xml":
            return writers.xml_body(graph, self.namespaces, cache)
        return writers.jsonld_body(graph, self.namespaces, cache)

    def header(self, _format: str) -> str:
        if _format == "ttl":
            return turtle.header(self.namespaces) + "\n"
        if _format == "xml":
            return writers.xml_header(self.namespaces)
        return writers.jsonld_header(self.namespaces)


def render(
    dataset_dict: dict,
    formats: Iterable[str] = FORMATS,
    serializer: RDFSerializer | None = None,
    _writers: _Writers | None = None,
) -> tuple[dict[str, str], URIRef]:
    """A record's description as fragments (format -> text), and its URI.

    The record's graph is built once, whatever the number of formats.
    """
    serializer = serializer or Serializer()
    serializer.g = _UnboundGraph()
    dataset_ref = serializer.graph_from_dataset(dataset_dict)
    _writers = _writers or _Writers()
    return {name: _writers.write(name, serializer.g) for name in formats}, dataset_ref


def record_fragments(
    dataset_dicts: list[dict],
    profiles: list[str] | None = None,
    _format: str = "ttl",
    also: Iterable[str] = (),
    serializer: RDFSerializer | None = None,
) -> list[tuple[str, URIRef]]:
    """Fragments of ``_format`` for these records (from the cache where possible).

    ``also``: other formats to write and cache for the records whose graph has
    to be built anyway (the warm job asks for all of them).
    """
    from ckanext.dcat.utils import dataset_uri

    _format = format_name(_format) or _format
    if _format not in FORMATS:
        raise ValueError(f"No fragment writer for the format {_format!r}")
    formats = (_format, *(f for f in also if f != _format))
    ttl = _ttl()
    keys = [_key(_format, d, profiles) for d in dataset_dicts]
    cached: list = [None] * len(keys)
    redis = None
    if ttl > 0:
        try:
            redis = connect_to_redis()
            cached = redis.mget(keys)
        except RedisError:
            log.warning("Redis unavailable: catalogue fragments are not cached", exc_info=True)
            redis = None
    out = []
    fresh = {}
    page_writers = _Writers()
    for dataset_dict, hit in zip(dataset_dicts, cached, strict=True):
        if hit is not None:
            out.append(
                (
                    hit.decode("utf-8") if isinstance(hit, bytes) else hit,
                    URIRef(dataset_uri(dataset_dict)),
                )
            )
            continue
        serializer = serializer or Serializer(profiles=profiles)
        texts, ref = render(dataset_dict, formats, serializer, page_writers)
        for name, text in texts.items():
            fresh[_key(name, dataset_dict, profiles)] = text
        out.append((texts[_format], ref))
    if redis is not None and fresh:
        try:
            pipeline = redis.pipeline()
            for key, text in fresh.items():
                pipeline.setex(key, ttl, text)
            pipeline.execute()
        except RedisError:
            log.warning("Could not cache catalogue fragments", exc_info=True)
    return out


def page_header(_format: str) -> str:
    return _Writers().header(format_name(_format) or _format)


def page_footer(_format: str) -> str:
    return {"ttl": "", "xml": writers.XML_FOOTER, "jsonld": writers.JSONLD_FOOTER}[
        format_name(_format) or _format
    ]


def page_separator(_format: str) -> str:
    return ",\n" if (format_name(_format) or _format) == "jsonld" else "\n"


def write_graph(_format: str, graph: Graph) -> str:
    """A (small) graph in a fragment format with the fixed prefixes."""
    return _Writers().write(format_name(_format) or _format, graph)


def flush() -> int:
    """Drop every cached fragment (e.g. after a configuration change)."""
    redis = connect_to_redis()
    removed = 0
    for _format in FORMATS:
        for key in redis.scan_iter(f"khtourism:dcat:{_format}:*", count=1000):
            removed += redis.delete(key)
    return removed
