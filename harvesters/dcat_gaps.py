"""What real DCAT catalogues leave out, filled before ckanext-dcat names and imports it.

DCAT makes no property of a dataset mandatory; DCAT-AP, and the portal's plain dataset
type (ckanext-dcat's ``dcat_ap_full`` schema), require a title and a description. Real
catalogues omit them (the W3C DCAT 3 examples have datasets with neither): ckanext-dcat's
gather stage then fails on the first untitled dataset (``KeyError: 'title'``, and every
other dataset of the catalogue is lost), and a dataset without a description is refused
("Notes: Missing value"). Through ckanext-dcat's ``after_parsing`` hook (for every RDF
harvester of the process, stock ``dcat_rdf`` and ``khtourism_dcat`` alike):

- a dataset without ``dct:title`` gets its ``dct:identifier``, else the last segment of
  its URI, as its title;
- a dataset that lands as a plain dataset (not a tourism record: no record ``dct:type``)
  without ``dct:description`` gets a description that says so, Vietnamese first
  (core/messages.py ``dcat_no_description``).

Nothing else is invented; the record keeps its source's URI and identifier.
"""

from __future__ import annotations

import json
from typing import Any

from ckanext.khtourism.core import messages

from .mapping import PLAIN_DATASET


def _extra(dataset: dict[str, Any], key: str) -> str:
    for extra in dataset.get("extras") or []:
        if extra.get("key") == key and extra.get("value"):
            return str(extra["value"])
    return ""


def title_for(dataset: dict[str, Any]) -> str:
    identifier = str(dataset.get("identifier") or _extra(dataset, "identifier") or "").strip()
    if identifier:
        return identifier
    uri = str(dataset.get("uri") or _extra(dataset, "uri") or "").strip().rstrip("/#")
    segment = uri.replace("#", "/").rsplit("/", 1)[-1] if uri else ""
    return segment or uri or messages.text("dcat_untitled", "vi")


def no_description() -> str:
    return (
        f"{messages.text('dcat_no_description', 'vi')}\n\n"
        f"{messages.text('dcat_no_description', 'en')}"
    )


def lands_as_plain_dataset(harvest_job: Any) -> bool:
    source = harvest_job.source
    if source.type != "khtourism_dcat":
        return True  # stock dcat_rdf: plain datasets
    try:
        config = json.loads(source.config or "{}")
    except ValueError:
        return True
    return (config.get("record_type") or PLAIN_DATASET) == PLAIN_DATASET


def complete(dataset: dict[str, Any], *, plain: bool) -> dict[str, Any]:
    if not str(dataset.get("title") or "").strip():
        dataset["title"] = title_for(dataset)
    # a dataset the profile parsed as a tourism record (``dct:type``) lands as that type,
    # whose description is optional
    plain = plain and (dataset.get("type") or PLAIN_DATASET) == PLAIN_DATASET
    if plain and not str(dataset.get("notes") or "").strip():
        dataset["notes"] = no_description()
    return dataset


def after_parsing(parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
    """ckanext-dcat's ``IDCATRDFHarvester.after_parsing``: the parser, whose datasets come
    out completed."""
    if parser is None:
        return parser, []
    plain = lands_as_plain_dataset(harvest_job)
    parsed = parser.datasets

    def datasets():
        for dataset in parsed():
            yield complete(dataset, plain=plain)

    parser.datasets = datasets
    return parser, []
