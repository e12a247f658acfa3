"""Run pyshacl and turn its report into a list of readable violations."""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH


@dataclass(frozen=True)
class Violation:
    focus_class: str
    path: str
    constraint: str
    message: str
    value: str

    def __str__(self) -> str:
        return f"{self.focus_class} {self.path} [{self.constraint}] {self.message} ({self.value})"


def violations(data: Graph, shapes: Graph) -> list[Violation]:
    conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        abort_on_first=False,
        allow_warnings=True,
    )
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        classes = sorted(str(c).rsplit("/", 1)[-1] for c in data.objects(focus, RDF.type))
        found.append(
            Violation(
                focus_class=",".join(classes) or str(focus),
                path=_short(report.value(result, SH.resultPath)),
                constraint=_short(report.value(result, SH.sourceConstraintComponent)),
                message=str(report.value(result, SH.resultMessage) or ""),
                value=str(report.value(result, SH.value) or ""),
            )
        )
    assert conforms == (not found) or found, "pyshacl reported non-conformance without results"
    return sorted(found, key=str)


def _short(node) -> str:
    text = str(node or "")
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text
