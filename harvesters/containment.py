"""No harvester stage can stop a harvest consumer: every fault becomes a job or object error.

ckanext-harvest's consumers (``ckan harvester gather-consumer`` / ``fetch-consumer``) call
``queue.gather_callback`` / ``queue.fetch_callback`` for each message. An exception raised by
a harvester's stage goes through them and ends the consumer process; the gather callback even
acknowledges the message first, so after a restart the job shows "Finished" with no object and
no reason. That holds for every harvester type: ours (whose stages catch their own errors),
the ones that reuse another harvester's gather stage (``khtourism_dcat`` runs ckanext-dcat's),
and the stock ``dcat_rdf`` / ``dcat_json`` / ``ckan`` harvesters (ckanext-dcat lets the
``JSONDecodeError`` of a malformed JSON-LD catalogue through its gather, and the
``NotAuthorized`` of its ``_get_existing_dataset`` through its import).

This module holds the wrappers of ckanext-harvest's queue functions for that purpose;
the compat room applies them (``compat/registry.py``, entries ``harvest.*.contained``).
:func:`install` (run with :func:`.stages.install`, when the harvester plugins load, before a
consumer imports the callbacks) puts these in ``ckanext.harvest.queue``:

``gather_stage``
    an exception of any harvester's gather is rolled back; the objects the failed gather had
    committed are deleted (they were never queued, as ckanext-harvest's own handler does);
    one gather error ``thu thập danh sách thất bại: … / gather failed: <Type>: <message>`` is saved and ``None`` returned. The
    gather callback acknowledges the message; the next ``harvest_jobs_run`` finishes the job
    ("Finished", the error in its report).
``fetch_and_import_stages``
    an exception of any harvester's fetch or import is rolled back; the object ends ``ERROR``
    / ``errored`` with the error ``<stage> failed: <Type>: <message>``; the job goes on.
``gather_callback`` / ``fetch_callback``
    last line of defence (the database went away while an error was being saved, …): the
    exception is logged, the session discarded and the consumer keeps consuming. The message
    is not acknowledged: ckanext-harvest's ``resubmit_jobs`` sends it again later and the fetch
    callback gives an object up after five tries.

Also: ckanext-dcat's ``_get_existing_dataset`` reads the existing dataset with an empty
context, i.e. as an anonymous user. Harvested records that are private (drafts in review) are
then ``NotAuthorized`` and every run fails on them; :func:`install` replaces it with the same
lookup run as the harvest user (what ckanext-harvest intends: the import stage acts as the
site user), guarded so that an upstream change of the method is logged instead of broken.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError

from ckanext.khtourism import compat
from ckanext.khtourism.core import messages

from . import errorcap, liveness

log = logging.getLogger(__name__)

# a stored error message is cut here (a whole HTML page in an exception is of no use)
MAX_MESSAGE = 2000


def describe(error: BaseException) -> str:
    """``"<Type>: <message>"``, one readable line of at most :data:`MAX_MESSAGE` characters."""
    text = " ".join(str(error).split()) or repr(error)
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    return f"{type(error).__name__}: {text}"


def install() -> None:
    """Apply the compat entries ``harvest.*.contained`` and ``harvest.dcat_existing_dataset``
    (idempotent: the compat room applies each once)."""
    _contain_gather()
    _contain_fetch()
    _contain_callbacks()
    _dcat_reads_existing_datasets_as_harvest_user()


# --- gather -----------------------------------------------------------------------------------
def _contain_gather() -> None:
    compat.wrap("harvest.gather_stage.contained", _contained_gather_stage)


def _contained_gather_stage(original: Any) -> Any:
    def gather_stage(harvester: Any, job: Any) -> list[str] | None:
        job_id = job.id
        try:
            return original(harvester, job)
        except Exception as error:  # noqa: BLE001 - the job must end with a reason
            log.exception("harvest: gather of job %s failed", job_id)
            save_gather_failure(job_id, error)
            return None

    return gather_stage


def failure_text(stage: str, error: BaseException) -> str:
    """``thu thập danh sách thất bại: <Type>: <message> / gather failed: <Type>: <message>``
    (stage: gather, fetch or import)."""
    detail = describe(error)
    return " / ".join(
        messages.text(
            "harvest_stage_failed",
            lang,
            stage=messages.text(f"harvest_stage_{stage}", lang),
            detail=detail,
        )
        for lang in ("vi", "en")
    )


def save_gather_failure(job_id: str, error: BaseException) -> None:
    """Roll back, drop the job's objects (none was queued) and save one gather error."""
    from ckanext.harvest.model import HarvestJob

    model.Session.rollback()
    for obj in model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id):
        model.Session.delete(obj)
    job = HarvestJob.get(job_id)
    job.gather_finished = job.gather_finished or dt.datetime.utcnow()
    model.Session.add(HarvestGatherError(message=failure_text("gather", error), job=job))
    model.Session.commit()


# --- fetch and import -------------------------------------------------------------------------
def _contain_fetch() -> None:
    compat.wrap("harvest.fetch_and_import_stages.contained", _contained_fetch_and_import)


def _contained_fetch_and_import(original: Any) -> Any:
    def fetch_and_import_stages(harvester: Any, obj: HarvestObject) -> None:
        object_id = obj.id
        try:
            return original(harvester, obj)
        except Exception as error:  # noqa: BLE001 - one bad object never stops the job
            log.exception("harvest: object %s failed", object_id)
            # the stage it was in (a rollback would turn our harvesters' IMPORT back to WAITING)
            stage = "Import" if getattr(obj, "state", None) == "IMPORT" else "Fetch"
            save_object_failure(object_id, error, stage)
            return None

    return fetch_and_import_stages


def save_object_failure(object_id: str, error: BaseException, stage: str) -> None:
    """Roll back and end the object ``ERROR`` / ``errored`` with the error of its stage."""
    model.Session.rollback()
    obj = HarvestObject.get(object_id)
    if obj is None:
        return
    if obj.state in ("COMPLETE", "ERROR"):
        # the work was committed before the failure (e.g. Redis lost after a batch's
        # commit): the object's outcome stands
        log.warning("harvest: object %s failed after its outcome was saved: %s", obj.id, error)
        return
    now = dt.datetime.utcnow()
    if stage == "Fetch":
        obj.fetch_finished = now
    else:
        obj.import_finished = now
    obj.state, obj.report_status = "ERROR", "errored"
    if errorcap.may_store(obj.harvest_job_id):  # the per-job error cap (errorcap.py)
        model.Session.add(
            HarvestObjectError(message=failure_text(stage.lower(), error), object=obj, stage=stage)
        )
    model.Session.add(obj)
    model.Session.commit()


# --- the consumers' callbacks -----------------------------------------------------------------
def _contain_callbacks() -> None:
    for name in ("gather_callback", "fetch_callback"):
        compat.wrap(f"harvest.{name}.contained", functools.partial(_contained_callback, name))


_MESSAGE_KEYS = {"gather_callback": "harvest_job_id", "fetch_callback": "harvest_object_id"}


def _message_id(name: str, body: Any) -> str | None:
    try:
        value = json.loads(body)[_MESSAGE_KEYS[name]]
    except (TypeError, ValueError, KeyError):
        return None
    return value if isinstance(value, str) else None


def _object_finished(object_id: str) -> bool:
    """A message of an object that is COMPLETE or ERROR already (sent again after its consumer
    died between the commit and the acknowledgement): nothing to do, never imported twice."""
    state = model.Session.query(HarvestObject.state).filter(HarvestObject.id == object_id).scalar()
    model.Session.remove()
    return state in ("COMPLETE", "ERROR")


def _contained_callback(name: str, original: Any) -> Any:
    def callback(channel: Any, method: Any, header: Any, body: Any) -> Any:
        message_id = _message_id(name, body)
        try:
            if name == "fetch_callback" and message_id and _object_finished(message_id):
                channel.basic_ack(method.delivery_tag)
                return False
            # the heartbeat that tells harvest_jobs_run this consumer is alive (liveness.py)
            liveness.start_heartbeat()
            if message_id and name == "gather_callback":
                liveness.working_on_job(message_id)
            elif message_id:
                liveness.working_on_objects([message_id])
            try:
                return original(channel, method, header, body)
            finally:
                if message_id and name == "gather_callback":
                    liveness.done_with_job(message_id)
                elif message_id:
                    liveness.done_with_objects([message_id])
        except Exception:  # noqa: BLE001 - the consumer keeps consuming
            log.exception("harvest: %s failed on message %r; the consumer goes on", name, body)
            try:
                model.Session.rollback()
            except Exception:  # noqa: BLE001 - the connection itself may be gone
                log.warning("harvest: rollback after a failed %s failed too", name)
            model.Session.remove()
            return False

    callback.__wrapped__ = original  # type: ignore[attr-defined]
    return callback


# --- ckanext-dcat: the existing dataset read as the harvest user ------------------------------
def _dcat_reads_existing_datasets_as_harvest_user() -> None:
    if compat.applied("harvest.dcat_existing_dataset"):
        return
    try:
        from ckanext.dcat.harvesters.base import DCATHarvester
    except ImportError:  # ckanext-dcat is not installed: nothing to fix
        return
    if not (
        hasattr(DCATHarvester, "_get_existing_dataset")
        and hasattr(DCATHarvester, "_read_datasets_from_db")
        and hasattr(DCATHarvester, "_get_user_name")
    ):
        log.warning(
            "ckanext-dcat's DCATHarvester changed: its existing-dataset lookup is left as it is "
            "(private harvested datasets may fail to update)"
        )
        return

    def _get_existing_dataset(self: Any, guid: str) -> dict[str, Any] | None:
        datasets = self._read_datasets_from_db(guid)
        if not datasets:
            return None
        if len(datasets) > 1:
            log.error("Found more than one dataset with the same guid: %s", guid)
        context = {"user": self._get_user_name(), "ignore_auth": True}
        return tk.get_action("package_show")(context, {"id": datasets[0][0]})

    compat.replace("harvest.dcat_existing_dataset", _get_existing_dataset)
