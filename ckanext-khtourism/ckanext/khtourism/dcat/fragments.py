"""Per-record Turtle fragments of the catalogue, cached in Redis.

A catalogue page is the catalogue's own description, its Hydra paging and the
descriptions of up to 100 records. The record descriptions only change when
the record does, so each one is cached as a Turtle fragment (written with a
fixed set of prefixes) under a key made of the record id and its
``metadata_modified``: an edit makes a new key, the old one expires. What a
record's description shows of *other* objects (its organization's name, the
configured authority, the API URLs) is refreshed at the latest after
``ckanext.khtourism.dcat.cache_ttl`` seconds.

Only records returned by the anonymous catalogue search are ever rendered, so
the cache holds public descriptions only.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from rdflib import Graph, URIRef
from redis.exceptions import RedisError

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.dcat.processors import HYDRA, RDFSerializer
from ckanext.dcat.profiles.base import namespaces as DCAT_NAMESPACES

from . import turtle
from . import vocabulary as V

log = logging.getLogger(__name__)
VERSION = "1"  # bump when the profile's output changes


def prefixes() -> list[tuple[str, str]]:
    fixed = dict(DCAT_NAMESPACES)
    fixed.update({
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "hydra": str(HYDRA),
        "khtr": str(V.terms_namespace()),
    })
    return [(prefix, str(namespace)) for prefix, namespace in fixed.items()]


def _ttl() -> int:
    return tk.asint(tk.config.get("ckanext.khtourism.dcat.cache_ttl"))


def _key(dataset_dict: dict, profiles: Iterable[str] | None) -> str:
    profile_names = ",".join(profiles or [])
    return (f"khtourism:dcat:ttl:{VERSION}:{V.base_uri()}:{profile_names}:"
            f"{dataset_dict['id']}:{dataset_dict.get('metadata_modified')}")


def render(dataset_dict: dict, profiles: list[str] | None = None,
           serializer: RDFSerializer | None = None,
           term_cache: dict | None = None) -> tuple[str, URIRef]:
    """A record's description as a Turtle fragment, and its URI."""
    serializer = serializer or RDFSerializer(profiles=profiles)
    # No default prefix bindings: binding rdflib's ~30 namespaces into every
    # per-record graph cost more than building the record's triples.
    serializer.g = Graph(bind_namespaces="none")
    dataset_ref = serializer.graph_from_dataset(dataset_dict)
    text, _used = turtle.body(serializer.g, prefixes(), term_cache)
    return text, dataset_ref


def record_fragments(dataset_dicts: list[dict],
                     profiles: list[str] | None = None) -> list[tuple[str, URIRef]]:
    """Fragments for these records (from the cache where possible)."""
    from ckanext.dcat.utils import dataset_uri

    ttl = _ttl()
    keys = [_key(d, profiles) for d in dataset_dicts]
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
    serializer = None
    term_cache: dict = {}
    for key, dataset_dict, hit in zip(keys, dataset_dicts, cached, strict=True):
        if hit is not None:
            out.append((hit.decode("utf-8") if isinstance(hit, bytes) else hit,
                        URIRef(dataset_uri(dataset_dict))))
            continue
        serializer = serializer or RDFSerializer(profiles=profiles)
        text, ref = render(dataset_dict, profiles, serializer, term_cache)
        fresh[key] = text
        out.append((text, ref))
    if redis is not None and fresh:
        try:
            pipeline = redis.pipeline()
            for key, text in fresh.items():
                pipeline.setex(key, ttl, text)
            pipeline.execute()
        except RedisError:
            log.warning("Could not cache catalogue fragments", exc_info=True)
    return out


def flush() -> int:
    """Drop every cached fragment (e.g. after a configuration change)."""
    redis = connect_to_redis()
    removed = 0
    for key in redis.scan_iter("khtourism:dcat:ttl:*", count=1000):
        removed += redis.delete(key)
    return removed
