"""The outbound guard and the XML limits, applied to the stock harvesters too.

Our own readers call :mod:`.sources.http` (which uses :mod:`ckanext.khtourism.outbound`).
The catalogue harvesters this portal loads from other extensions make their own requests:

- ckanext-dcat (``dcat_rdf`` and our ``khtourism_dcat``): through its
  ``IDCATRDFHarvester`` hooks, implemented by :class:`~.catalogue.DCATCatalogueHarvester`
  for every DCAT harvester of the process — ``before_download`` refuses a URL (the source
  URL and every ``hydra:next`` page) that is not http(s) or points at an internal
  address (ckanext-dcat would otherwise read a local *file* path), and
  ``update_session`` hands it a guarded session (address checked at connection time and
  after redirects, one deadline, a size limit).
- ckanext-harvest's CKAN harvester (``ckan`` and our ``khtourism_ckan``): it calls
  ``requests.get`` with no timeout and no size limit in ``CKANHarvester._get_content``
  and has no hook, so :func:`install` replaces that one method (written against
  ckanext-harvest 1.6.3) with a guarded request that also refuses a non-JSON answer
  instead of letting the harvester quote it in the job report.
- rdflib's XML parsers are replaced by defused ones (:mod:`.sources.safexml`).

The per-job error cap (:mod:`.errorcap`) for the stock harvesters too: ``ckan``,
``dcat_rdf`` and ``dcat_json`` save their errors through ckanext-harvest's
``HarvesterBase._save_gather_error`` / ``_save_object_error`` (in ckanext-harvest 1.6.3
the class attributes ``HarvestGatherError.create`` / ``HarvestObjectError.create``).
:func:`install` wraps those two so that each error is counted and stored only while the job
is under ``ckanext.khtourism.harvest.max_errors_per_job``; our harvesters reach the same
wrappers through ``super()``. If the upstream attributes are no longer those classmethods,
they are left alone and a warning is logged (errors are then stored uncapped).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError
from ckanext.harvest.model import HarvestGatherError, HarvestObjectError

from ckanext.khtourism import outbound

from . import errorcap
from .sources import safexml

log = logging.getLogger(__name__)

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    safexml.install()
    CKANHarvester._get_content = _get_content
    _cap_errors_of_every_harvester()
    _installed = True


def _cap_errors_of_every_harvester() -> None:
    """``HarvesterBase._save_gather_error`` / ``_save_object_error`` under the error cap."""
    upstream = (
        HarvesterBase.__dict__.get("_save_gather_error"),
        HarvesterBase.__dict__.get("_save_object_error"),
    )
    if upstream != (HarvestGatherError.create, HarvestObjectError.create):
        log.warning(
            "ckanext-harvest's HarvesterBase error methods changed: the per-job error cap "
            "applies to the khtourism harvesters only"
        )
        return
    HarvesterBase._save_gather_error = _save_gather_error
    HarvesterBase._save_object_error = _save_object_error


def _save_gather_error(self: Any, message: str, job: Any) -> None:
    if errorcap.may_store(getattr(job, "id", None)):
        HarvestGatherError.create(message, job)


def _save_object_error(
    self: Any, message: str, obj: Any, stage: str = "Fetch", line: int | None = None
) -> None:
    if errorcap.may_store(getattr(obj, "harvest_job_id", None)):
        HarvestObjectError.create(message, obj, stage, line)


def _get_content(self: Any, url: str) -> str:
    """``CKANHarvester._get_content`` through the outbound guard (the JSON text of ``url``)."""
    config = getattr(self, "config", None) or {}
    headers = {}
    if config.get("user_agent"):
        headers["User-Agent"] = str(config["user_agent"])
    if config.get("api_key"):
        headers["Authorization"] = str(config["api_key"])
    timeout = config.get("timeout")
    timeout = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else None
    try:
        response = outbound.fetch(url, headers=headers, timeout=timeout)
    except outbound.HTTPStatusError as error:
        raise ContentFetchError(f"HTTP error: {error}") from error
    except outbound.OutboundError as error:
        raise ContentFetchError(f"Request error: {error}") from error
    text = response.text
    try:
        json.loads(text)
    except ValueError as error:
        content_type = outbound.excerpt(response.headers.get("Content-Type", "?"), 60)
        raise ContentFetchError(
            f"{url}: the answer is not JSON ({content_type}, {len(response.content)} bytes)"
        ) from error
    return text


def before_download(url: str, harvest_job: Any) -> tuple[str | None, list[str]]:
    """ckanext-dcat's ``before_download``: refuse what the portal must not contact."""
    try:
        outbound.check_url(url)
    except outbound.AddressRefused as error:
        return None, [f"{outbound.excerpt(url, 200)}: refused: {error}"]
    return url, []


def update_session(session: Any) -> outbound.GuardedSession:
    """ckanext-dcat's ``update_session``: a guarded session with the headers set so far."""
    guarded = outbound.session()
    guarded.headers.update(getattr(session, "headers", {}) or {})
    guarded.headers["User-Agent"] = outbound.USER_AGENT
    return guarded
