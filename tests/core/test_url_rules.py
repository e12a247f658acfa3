"""URL rules' building functions compiled when first used (``core/url_rules.py``, compat
entry ``werkzeug.rule_builders_on_first_use``): the URLs are Werkzeug's, the functions
Werkzeug's, compiled only for rules whose URLs are built."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Map, Rule

from ckanext.khtourism import compat

ENTRY = "werkzeug.rule_builders_on_first_use"


def _werkzeugs(rule: Rule, append_unknown: bool):
    return compat.original(ENTRY)(rule, append_unknown)


def test_a_rules_builders_wait_until_a_url_is_built_then_are_werkzeugs():
    class Padded(IntegerConverter):
        def to_url(self, value: object) -> str:
            return f"{int(value):03d}"  # type: ignore[call-overload]

    rule = Rule("/day/<day:n>", endpoint="day")
    with_default = Rule("/week/<int:n>", endpoint="week", defaults={"n": 1})
    urls = Map([rule, with_default], converters={"day": Padded}).bind("example.org")
    assert compat.applied(ENTRY)
    # compiled when the map took the rule: stand-ins, not Werkzeug's functions yet
    for builder in (rule._build, rule._build_unknown):
        assert builder.__func__.__code__ != _werkzeugs(rule, False).__code__

    # (a map builds with unknown arguments appended unless told not to)
    assert urls.build("day", {"n": 8, "q": "biển"}) == "/day/008?q=bi%E1%BB%83n"
    assert rule._build_unknown.__func__.__code__ == _werkzeugs(rule, True).__code__
    assert rule._build.__func__.__code__ != _werkzeugs(rule, False).__code__
    assert urls.build("day", {"n": 7, "q": "x"}, append_unknown=False) == "/day/007"
    assert rule._build.__func__.__code__ == _werkzeugs(rule, False).__code__
    assert urls.build("day", {"n": 9}) == "/day/009"  # the compiled one, called again
    # a default of the rule's own variable is put into the function as Werkzeug does
    assert urls.build("week", {}) == "/week/1"


@pytest.mark.usefixtures("with_plugins")
def test_the_portals_urls_are_built_as_before(app):
    """Pages link with ``url_for``: a few of each kind of rule, built through the app."""
    import ckan.plugins.toolkit as tk

    with app.flask_app.test_request_context():
        assert tk.url_for("home.index") == "/"
        assert tk.url_for("dataset.read", id="khach-san-a") == "/dataset/khach-san-a"
        assert (
            tk.url_for("accommodation.search", q="biển", page=2)
            == "/accommodation/?q=bi%E1%BB%83n&page=2"
        )
        assert tk.url_for("api.action", logic_function="status_show", ver=3) == (
            "/api/3/action/status_show"
        )
    # every rule of the portal holds a stand-in or Werkzeug's own function
    rules = list(app.flask_app.url_map.iter_rules())
    assert len(rules) > 300
    for rule in rules:
        for append_unknown, builder in ((False, rule._build), (True, rule._build_unknown)):
            code = builder.__func__.__code__
            stand_in = code.co_name == "build_first"
            assert stand_in or code == _werkzeugs(rule, append_unknown).__code__, rule.rule
