"""URL rules' building functions compiled when a URL of the rule is first built.

Werkzeug compiles two URL-building functions for every rule as it is added to the map
(``Rule.compile`` calls ``Rule._compile_builder`` twice: Python syntax trees, then
``compile``). The portal's map has ~420 rules, so every CKAN process — each web worker,
harvest consumer, jobs worker and ``ckan`` command — spent ~0.15 s of its ~1.3 s
application build writing 836 functions (measured 2026-12-05), most never called: a page
builds the URLs of a few dozen endpoints, a consumer or command none.

:func:`lazy_builder` takes the place of ``Rule._compile_builder`` (compat entry
``werkzeug.rule_builders_on_first_use``): it returns a stand-in that, the first time it is
called, has Werkzeug compile the real function from the rule as it is then, puts it on
the rule in its own place and calls it. What Werkzeug's function reads (the rule's parsed
parts, its defaults and converters) is fixed once the rule is compiled, so the function is
the same; a rule compiled again (bound to another map) gets new stand-ins. Two threads
building the same rule first may both compile it: the same function, twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# the rule's attribute that holds each builder (``Rule.compile``)
_ATTRIBUTE = {False: "_build", True: "_build_unknown"}


def lazy_builder(compile_builder: Callable[..., Any]) -> Callable[..., Any]:
    """``Rule._compile_builder`` returning a stand-in compiled on its first call."""

    def compile_on_first_use(rule: Any, append_unknown: bool = True) -> Callable[..., Any]:
        def build_first(rule_self: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
            built = compile_builder(rule_self, append_unknown).__get__(rule_self, None)
            setattr(rule_self, _ATTRIBUTE[append_unknown], built)
            return built(*args, **kwargs)

        return build_first

    return compile_on_first_use
