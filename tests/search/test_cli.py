"""``ckan search-index rebuild|check|show|clear`` on the PostgreSQL engine."""

from __future__ import annotations

from ckan.cli.cli import ckan

from tests.search.search_helpers import search_config, titles


@search_config
def test_rebuild_after_wiping_the_index(portal, cli):
    portal.create("Khách sạn A")
    portal.create("Khách sạn B")
    assert portal.search()["count"] == 2

    result = cli.invoke(ckan, ["search-index", "clear"])
    assert result.exit_code == 0, result.output
    assert portal.search()["count"] == 0

    result = cli.invoke(ckan, ["search-index", "check"])
    assert result.exit_code == 0, result.output
    assert "Packages not indexed = 2 out of 2" in result.output

    result = cli.invoke(ckan, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexing datasets" in result.output  # the progress bar
    assert "2/2" in result.output
    assert sorted(titles(portal.search(q="khach san"))) == ["Khách sạn A", "Khách sạn B"]

    result = cli.invoke(ckan, ["search-index", "check"])
    assert "Packages not indexed = 0 out of 2" in result.output


@search_config
def test_show_clear_one_and_rebuild_only_missing(portal, cli):
    first = portal.create("Tháp Bà")
    portal.create("Hòn Chồng")
    result = cli.invoke(ckan, ["search-index", "show", first["name"]])
    assert result.exit_code == 0, result.output
    assert first["id"] in result.output and "validated_data_dict" in result.output

    result = cli.invoke(ckan, ["search-index", "clear", first["name"]])
    assert result.exit_code == 0, result.output
    assert titles(portal.search()) == ["Hòn Chồng"]

    result = cli.invoke(ckan, ["search-index", "rebuild", "--only-missing"])
    assert result.exit_code == 0, result.output
    assert "1/1" in result.output
    assert portal.search()["count"] == 2

    result = cli.invoke(ckan, ["search-index", "rebuild", "--clear", "-q"])
    assert result.exit_code == 0, result.output
    assert portal.search()["count"] == 2
