"""The query parser is safe under a threaded server (``ckan run --threaded``, gthread)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ckanext.khtourism.search.parse import Compiler

QUERIES = [
    'dataset_type:accommodation AND star_rating:("4" OR "5")',
    '+capacity:public +permission_labels:(public OR "member-abc")',
    "metadata_modified:[NOW-30DAY TO NOW] -operating_status:closed",
    "admin_unit:(22333 OR 22366 OR 22390) AND languages:en",
    'title:"Khách sạn" AND NOT tags:homestay',
    'res_format:CSV OR extras_source_name:"Sở Du lịch"',
]


def _tree_text(query: str) -> str:
    return repr(Compiler().parse(query, "fq"))


def test_concurrent_parses_give_the_same_trees_as_sequential_ones():
    expected = {query: _tree_text(query) for query in QUERIES}
    work = QUERIES * 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_tree_text, work))
    mismatches = [(q, r) for q, r in zip(work, results, strict=True) if r != expected[q]]
    assert mismatches == []
