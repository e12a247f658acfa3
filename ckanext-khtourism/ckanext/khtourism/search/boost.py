"""Solr's ``bf`` (additive) and ``boost`` (multiplicative) functions, as SQL.

CKAN passes ``bf`` and ``boost`` through ``package_search`` unchanged. The
engine supports the function queries a catalogue uses to favour fresh or
rich datasets; anything else is a :class:`SearchQueryError` naming the
unsupported function (never silently ignored):

* a number: ``2``;
* a numeric field of the document: ``num_resources``, ``star_rating``
  (documents without a number there count as 0);
* ``recip(ms(NOW,<date field>),m,a,b)`` = ``a / (m·x + b)`` with ``x`` the age
  in milliseconds (``NOW/DAY`` and other date math are accepted as the anchor);
* ``log(x)``, ``sqrt(x)``, ``abs(x)``, ``sum(x,y…)``, ``product(x,y…)``,
  ``div(x,y)``, ``max(x,y)``, ``min(x,y)`` over the above;
* in ``bf``, several functions separated by spaces, each optionally ``^weight``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ckan.lib.search.common import SearchQueryError

from . import parse

_TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_][\w.\-+/]*)"
    r"|(?P<punct>[(),]))"
)
_FUNCTIONS = {
    "log": 1,
    "sqrt": 1,
    "abs": 1,
    "div": 2,
    "sum": -1,
    "product": -1,
    "max": -1,
    "min": -1,
    "recip": 4,
    "ms": 2,
}
SUPPORTED = "numbers, numeric fields, recip, ms, log, sqrt, abs, sum, product, div, max, min"


class _Parser:
    def __init__(self, param: str, source: str, bind: Callable[[Any], str]) -> None:
        self.param = param
        self.source = source
        self.bind = bind
        self.tokens = self._tokens(source)
        self.position = 0

    def _tokens(self, source: str) -> list[tuple[str, str]]:
        tokens, position = [], 0
        while position < len(source):
            if source[position:].strip() == "":
                break
            match = _TOKEN.match(source, position)
            if not match or match.end() == position:
                raise SearchQueryError(
                    f"{self.param}: cannot read {source[position:]!r} in {source!r}"
                )
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def _next(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise SearchQueryError(f"{self.param}: unexpected end of {self.source!r}")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def expression(self) -> str:
        kind, value = self._next()
        if kind == "number":
            return f"({float(value)!r})::float8"
        if kind != "name":
            raise SearchQueryError(f"{self.param}: unexpected {value!r} in {self.source!r}")
        following = self._peek()
        if following == ("punct", "("):
            return self.function(value.lower())
        return self.field(value)

    def field(self, name: str) -> str:
        if not name.replace("_", "").isalnum():
            raise SearchQueryError(f"{self.param}: {name!r} is not a field name")
        if name in parse.DATE_COLUMNS:
            return f"extract(epoch FROM {parse.DATE_COLUMNS[name]}) * 1000"
        return f"coalesce(khtourism_search_try_num(d.doc->>{self.bind(name)}), 0)"

    def arguments(self) -> list[str]:
        self._next()  # (
        arguments: list[str] = []
        while True:
            if self._peek() == ("punct", ")"):
                self._next()
                return arguments
            arguments.append(self.expression())
            token = self._next()
            if token == ("punct", ")"):
                return arguments
            if token != ("punct", ","):
                raise SearchQueryError(f"{self.param}: expected ',' or ')' in {self.source!r}")

    def function(self, name: str) -> str:
        if name not in _FUNCTIONS:
            raise SearchQueryError(
                f"{self.param}: the function {name}() is not supported (supported: {SUPPORTED})"
            )
        if name == "ms":
            return self.milliseconds()
        arguments = self.arguments()
        arity = _FUNCTIONS[name]
        if (arity >= 0 and len(arguments) != arity) or (arity < 0 and not arguments):
            raise SearchQueryError(
                f"{self.param}: {name}() takes {arity if arity >= 0 else 'one or more'} argument(s)"
            )
        if name == "log":
            return f"log(GREATEST({arguments[0]}, 1e-9))"
        if name == "sqrt":
            return f"sqrt(GREATEST({arguments[0]}, 0))"
        if name == "abs":
            return f"abs({arguments[0]})"
        if name == "div":
            return f"({arguments[0]}) / NULLIF({arguments[1]}, 0)"
        if name == "sum":
            return "(" + " + ".join(arguments) + ")"
        if name == "product":
            return "(" + " * ".join(arguments) + ")"
        if name in ("max", "min"):
            return f"{'GREATEST' if name == 'max' else 'LEAST'}({', '.join(arguments)})"
        x, m, a, b = arguments  # recip
        return f"(({a}) / NULLIF(({m}) * ({x}) + ({b}), 0))"

    def milliseconds(self) -> str:
        """``ms(NOW,field)``: age in milliseconds; ``ms(field)``: the date itself."""
        self._next()  # (
        parts: list[str] = []
        while True:
            kind, value = self._next()
            if kind == "name" and value.upper().startswith("NOW"):
                anchor = parse.parse_date_math(value)
                parts.append(f"extract(epoch FROM CAST({self.bind(anchor)} AS timestamptz)) * 1000")
            elif kind == "name":
                parts.append(self.date_field(value))
            else:
                raise SearchQueryError(f"{self.param}: ms() takes dates, got {value!r}")
            token = self._next()
            if token == ("punct", ")"):
                break
            if token != ("punct", ","):
                raise SearchQueryError(f"{self.param}: expected ',' or ')' in {self.source!r}")
        if len(parts) == 1:
            return parts[0]
        if len(parts) != 2:
            raise SearchQueryError(f"{self.param}: ms() takes one or two dates")
        return f"({parts[0]} - {parts[1]})"

    def date_field(self, name: str) -> str:
        if name in parse.DATE_COLUMNS:
            column = parse.DATE_COLUMNS[name]
        elif parse.is_date_field(name):
            column = f"khtourism_search_try_ts(d.doc->>{self.bind(name)})"
        else:
            raise SearchQueryError(f"{self.param}: {name!r} is not a date field")
        return f"coalesce(extract(epoch FROM {column}) * 1000, 0)"


def _split_weights(source: str) -> list[tuple[str, float]]:
    """``recip(…)^2 num_resources`` -> [(``recip(…)``, 2.0), (``num_resources``, 1.0)]."""
    items: list[tuple[str, float]] = []
    depth, current = 0, ""
    for character in source + " ":
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        if character.isspace() and depth == 0:
            if current:
                function, _, weight = (
                    current.partition("^")
                    if current.count("^") == 1 and current.rfind("^") > current.rfind(")")
                    else (current, "", "")
                )
                try:
                    items.append((function, float(weight) if weight else 1.0))
                except ValueError as error:
                    raise SearchQueryError(f"invalid weight in {current!r}") from error
                current = ""
            continue
        current += character
    if depth != 0 or current:
        raise SearchQueryError(f"unexpected end of {source!r}: unbalanced parentheses")
    return items


def compile_functions(param: str, values: list[str], bind: Callable[[Any], str]) -> list[str]:
    """SQL expressions of the ``bf`` / ``boost`` values (weights applied)."""
    expressions = []
    for value in values:
        try:
            weighted = _split_weights(value.strip())
        except SearchQueryError as error:
            raise SearchQueryError(f"{param}: {error}") from error
        for function, weight in weighted:
            parser = _Parser(param, function, bind)
            expression = parser.expression()
            if parser._peek() is not None:
                raise SearchQueryError(f"{param}: unexpected text after the function in {value!r}")
            expressions.append(f"coalesce(({expression}) * {weight!r}, 0)")
    return expressions
