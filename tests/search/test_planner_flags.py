"""The planner's decisions come from flags the compiler sets, not from reading its SQL."""

from __future__ import annotations

import pytest

from ckanext.khtourism.search.connection import QueryPlan

BOX = 'khtourism_bbox:"109.0,12.0,109.5,12.5"'

# (q, params, whether a predicate matches the full-text vector d.tsv)
QUERIES = [
    ("*:*", {}, False),
    ("*:*", {"fq": "+dataset_type:hotel"}, False),
    ("khách sạn", {"defType": "edismax", "qf": "name^4 title^4 tags^2 text"}, True),
    ("khách sạn", {"defType": "edismax", "qf": "tags^2"}, True),  # weighted field filter
    ("title:hotel", {}, True),  # a text field: the full-text prefilter
    ("hotel*", {}, True),
    ("name:nha-trang-hotel", {}, False),
    ("*:*", {"fq": "text:lặn"}, True),  # in a filter
    ("-hotel", {}, True),  # negated
    ("dataset_type:hotel OR dataset_type:homestay", {}, False),
    ("*:*", {"fq": BOX}, False),
]


@pytest.mark.parametrize(("q", "params", "full_text"), QUERIES)
def test_the_compiler_flags_a_full_text_match(q, params, full_text):
    plan = QueryPlan(q, dict(params))
    assert plan.compiler.matches_text_index is full_text
    # the flag says what the SQL holds (the planner used to search the text for it)
    assert ("d.tsv @@" in plan.where) is full_text


def test_a_box_with_words_leaves_the_box_index_to_the_text_index():
    with_words = QueryPlan("hotel", {"fq": BOX})
    box_only = QueryPlan("*:*", {"fq": BOX})
    assert "box(point(" not in with_words.where  # plain comparisons of the extent columns
    assert "box(point(" in box_only.where  # the GiST box index


@pytest.mark.parametrize(
    ("sort", "columns", "by_document"),
    [
        (None, {"metadata_modified"}, False),
        ("title_string asc", {"title_sort"}, False),
        ("name asc, metadata_created desc", {"name", "metadata_created"}, False),
        ("star_rating desc", set(), True),
        ("score desc, extras_capacity asc", set(), True),
    ],
)
def test_the_sort_flags_the_columns_the_hits_carry(sort, columns, by_document):
    plan = QueryPlan("*:*", {"sort": sort} if sort else {})
    assert plan.sort_columns == columns
    assert plan.sorts_by_document is by_document
    statement = plan.statement()
    assert ("d.doc AS sort_doc" in statement) is by_document
    for column in ("metadata_modified", "metadata_created", "title_sort", "name", "id"):
        assert (f"d.{column} AS s_{column}" in statement) is (column in columns)
