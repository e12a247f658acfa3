"""The three stages shared by every khtourism harvester.

gather  reads the whole source once (spreadsheet, feature service); one
        HarvestObject per record, keyed by its stable identifier, holding the
        raw record as content. Records that vanished from a *complete* listing
        get a "withdraw" object. Any source-level fault is a gather error and
        the job ends with nothing imported and nothing withdrawn.
fetch   nothing left to do (the content came with the listing).
import  maps and checks the record, then creates, updates, reports
        ``unchanged``, matches a duplicate from another source, or withdraws —
        always through package_create/package_update. Every failure is saved
        on its object with the record's row or feature id; no exception
        escapes, so a job can never be left Running by a bad record.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectError, HarvestObjectExtra

from . import bulk, containment, geometry, indexing, records, stages
from .config import SourceConfig, parse
from .mapping import MATCH_FIELDS, PLAIN_DATASET
from .sources import SourceError, SourceListing

log = logging.getLogger(__name__)

STATUS_KEY = "status"
WITHDRAW = "withdraw"
# ckanext-dcat's gather marks vanished datasets "delete": we withdraw them instead.
WITHDRAW_STATUSES = (WITHDRAW, "delete")


class KhTourismHarvesterBase(HarvesterBase):
    """Subclasses give ``info()``, ``TYPE_KEYS``/``REQUIRED_KEYS`` and ``read_source()``.

    Each plugin class also declares ``p.implements(p.ISignal)``: the subscription below
    indexes finished jobs' records (the same listener is connected once, however many
    harvester plugins are loaded).
    """

    TYPE_KEYS: dict[str, type | tuple[type, ...]] = {}
    REQUIRED_KEYS: tuple[str, ...] = ()
    # fetch + import of an object commit once (stages.py), not five times
    SINGLE_COMMIT_STAGES = True
    # new records are imported in batches (stages.py claims them, import_new_batch)
    BATCH_IMPORT = True

    def __new__(cls, *args: Any, **kwargs: Any):
        stages.install()
        containment.install()  # after stages: its wrappers are the outermost
        # CKAN's SingletonPlugin keeps its instance in a class attribute that subclasses
        # inherit: a subclass of a loaded plugin (CKANHarvester, DCATRDFHarvester) would get
        # the parent's instance. Keep one instance per class.
        if "_instance" not in cls.__dict__:
            cls._instance = object.__new__(cls)
        return cls._instance

    # ISignal
    def get_signal_subscriptions(self) -> dict:
        return {
            tk.signals.action_succeeded: [
                stages.on_action_succeeded,
                indexing.on_action_succeeded,
            ]
        }

    # --- configuration ----------------------------------------------------------------
    def validate_config(self, config: str | None) -> str | None:
        self.parse_config(config)  # ConfigError is a ValueError: the form shows the message
        return config

    def parse_config(self, config: str | None) -> SourceConfig:
        cache = self.__dict__.setdefault("_parsed_configs", {})
        if config not in cache:  # parsed once per configuration text, not once per record
            if len(cache) > 64:
                cache.clear()
            cache[config] = parse(config, type_keys=self.TYPE_KEYS, required=self.REQUIRED_KEYS)
        return cache[config]

    def read_source(self, url: str, config: SourceConfig) -> SourceListing:
        raise NotImplementedError

    def content_of(self, harvest_object) -> dict[str, Any]:
        """The source record an object holds (what gather stored)."""
        return json.loads(harvest_object.content)

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        if obj is None or not obj.content:
            return None
        return self.content_of(obj).get("url")

    # --- gather ---------------------------------------------------------------------------
    def gather_stage(self, harvest_job) -> list[str] | None:
        try:
            return self._gather(harvest_job)
        except Exception as error:  # noqa: BLE001 - the job must end with a reason, not hang
            log.exception("gather failed for job %s", harvest_job.id)
            model.Session.rollback()
            # Objects already committed would wait forever: close them so the job can finish.
            model.Session.query(HarvestObject).filter(
                HarvestObject.harvest_job_id == harvest_job.id, HarvestObject.state == "WAITING"
            ).update({"state": "ERROR", "report_status": "errored"}, synchronize_session=False)
            model.Session.commit()
            self._save_gather_error(f"gather failed: {type(error).__name__}: {error}", harvest_job)
            return None

    def _gather(self, job) -> list[str] | None:
        source = job.source
        try:
            config = self.parse_config(source.config)
        except ValueError as error:
            self._save_gather_error(f"configuration: {error}", job)
            return None
        try:
            listing = self.read_source(source.url, config)
        except SourceError as error:
            self._save_gather_error(f"source could not be read, nothing changed: {error}", job)
            return None
        if any(record.geometry for record in listing.records):
            try:
                geometry.resolve_crs(config.crs or listing.crs)
            except geometry.UnknownCRSError as error:
                self._save_gather_error(f"{error}; nothing imported or withdrawn", job)
                return None
        for warning in listing.warnings:
            self._save_gather_error(f"warning: {warning}", job)

        previous = self.current_objects(source.id)
        complete = listing.complete
        seen: dict[str, str] = {}
        rows = _ObjectRows(job)
        new_ids: list[str] = []
        unchanged = 0
        forced = bool(config.raw.get("force_all"))
        package_ids = [obj.package_id for obj in previous.values() if obj.package_id]
        active_packages = (
            {
                row.id
                for row in model.Session.query(model.Package.id).filter(
                    model.Package.id.in_(package_ids), model.Package.state == "active"
                )
            }
            if package_ids
            else set()
        )
        for record in listing.records:
            key, looked_at = config.mapping.key_of(record.properties)
            if key is None and not config.mapping.key_field:
                key = record.ref.split(" ", 1)[-1]  # the feature id / object id
            if not key:
                complete = False
                self._save_gather_error(
                    f"{record.ref}: no identifier in {looked_at}; record skipped"
                    + (f" ({record.problem})" if record.problem else ""),
                    job,
                )
                continue
            if key in seen:
                self._save_gather_error(
                    f"{record.ref}: identifier {key!r} repeats {seen[key]}; record skipped", job
                )
                continue
            seen[key] = record.ref
            before = previous.get(key)
            content = json.dumps(
                record.as_content(listing.crs), ensure_ascii=False, sort_keys=True, default=str
            )
            if (
                before is not None
                and before.content == content
                and before.package_id in active_packages
                and not forced
            ):
                # Same content as the last import: reported "not modified" right here,
                # without a trip through the fetch queue (a daily re-run of an unchanged
                # register costs one transaction, not five per record).
                rows.add(
                    key,
                    package_id=before.package_id,
                    state="COMPLETE",
                    report_status="not modified",
                    import_finished=dt.datetime.utcnow(),
                    status="unchanged",
                )
                unchanged += 1
                continue
            new_ids.append(
                rows.add(
                    key,
                    content=content,
                    package_id=before.package_id if before else None,
                    status="change" if before else "new",
                )
            )

        rows.insert()
        withdrawals = self._withdrawals(
            job,
            previous,
            set(seen),
            complete=complete,
            empty=not listing.records,
            config=config,
        )
        model.Session.commit()  # one transaction for the whole listing, not one per record
        ids = new_ids + [obj.id for obj in withdrawals]
        if not ids and not unchanged:
            self._save_gather_error("the source listed no importable records", job)
        return ids

    def _withdrawals(
        self,
        job,
        previous: dict[str, HarvestObject],
        listed: set[str],
        *,
        complete: bool,
        empty: bool,
        config: SourceConfig,
    ) -> list[HarvestObject]:
        """Add "withdraw" objects for the records missing from a complete listing.

        ``previous``: the source's current objects by guid; ``listed``: every guid the source
        lists now. Nothing is withdrawn from an incomplete listing, or from an empty one unless
        ``allow_empty``; the reason is a gather error.
        """
        vanished = [
            obj
            for guid, obj in previous.items()
            if guid not in listed and obj.package_id and not _is_withdraw(obj)
        ]
        if not vanished:
            return []
        if not complete:
            self._save_gather_error(
                f"{len(vanished)} record(s) missing from the source were NOT withdrawn because "
                "the listing was incomplete (see the errors above)",
                job,
            )
            return []
        if empty and not config.allow_empty:
            self._save_gather_error(
                'the source returned no records: nothing withdrawn (set "allow_empty": true '
                "to withdraw every record when a source is really empty)",
                job,
            )
            return []
        objects = []
        for before in vanished:
            obj = HarvestObject(
                guid=before.guid,
                job=job,
                package_id=before.package_id,
                extras=[HarvestObjectExtra(key=STATUS_KEY, value=WITHDRAW)],
            )
            model.Session.add(obj)
            objects.append(obj)
        return objects

    def current_objects(self, source_id: str) -> dict[str, HarvestObject]:
        """The source's current harvest objects (its records as last imported), by guid."""
        return {
            obj.guid: obj
            for obj in model.Session.query(HarvestObject).filter(
                and_(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True))
            )
        }

    # --- fetch ----------------------------------------------------------------------------
    def fetch_stage(self, harvest_object) -> bool:
        return True  # the gather stage stored each record's content

    # --- import ---------------------------------------------------------------------------
    def import_stage(self, harvest_object) -> bool | str:
        # The record is committed with its harvest object's final state by the save right
        # after this stage (stages.py), and indexed in bulk when the job finishes
        # (indexing.py).
        indexing.defer_in_session()
        try:
            try:
                result = self._import(harvest_object)
            except IntegrityError:
                # Another fetch consumer committed the same new dataset name first (records
                # with the same title): the name is taken now, unique_name picks the next one.
                model.Session.rollback()
                indexing.defer_in_session()
                result = self._import(harvest_object)
            if result is True:
                indexing.mark_pending(harvest_object)
            return result
        except Exception as error:  # noqa: BLE001 - saved on the object, the job goes on
            log.exception("import failed for object %s", harvest_object.id)
            model.Session.rollback()
            self._object_error(harvest_object, f"{type(error).__name__}: {error}")
            return False

    def _object_error(self, obj, message: str) -> None:
        self._save_object_error(self._error_text(obj, message), obj, "Import")

    def _error_text(self, obj, message: str) -> str:
        """``message`` prefixed with the record's row or feature id."""
        try:
            ref = self.content_of(obj).get("ref", "") if obj.content else f"record {obj.guid}"
        except ValueError:
            ref = ""
        return f"{ref}: {message}" if ref else message

    def _source_facts(self, obj) -> _SourceFacts:
        """The source's id, name, organisation and configuration, read once per job."""
        cache = self.__dict__.setdefault("_source_facts_by_job", {})
        facts = cache.get(obj.harvest_job_id)
        if facts is None:
            source = obj.source or obj.job.source
            package = model.Package.get(source.id)
            facts = _SourceFacts(
                id=source.id,
                name=package.name if package else source.id,
                owner_org=package.owner_org if package else None,
                config=self.parse_config(source.config),
            )
            if len(cache) > 16:
                cache.clear()
            cache[obj.harvest_job_id] = facts
        return facts

    def _import(self, obj) -> bool | str:
        source = self._source_facts(obj)
        config = source.config
        source_name = source.name
        user = self._get_user_name()
        previous = (
            model.Session.query(HarvestObject)
            .filter(
                HarvestObject.harvest_source_id == source.id,
                HarvestObject.guid == obj.guid,
                HarvestObject.current.is_(True),
                HarvestObject.id != obj.id,
            )
            .first()
        )

        if _status(obj) in WITHDRAW_STATUSES:
            return self._withdraw(obj, previous, user, source_name)

        if (
            previous is not None
            and previous.content == obj.content
            and previous.package_id
            and not getattr(obj, "force_import", False)
            and _active(previous.package_id)
        ):
            obj.package_id = previous.package_id
            return "unchanged"

        content = self.content_of(obj)
        try:
            built = records.build_fields(content, config)
        except records.RecordError as error:
            self._object_error(obj, str(error))
            return False

        package_id = previous.package_id if previous is not None else obj.package_id
        if package_id and not _active(package_id):
            package_id = None
        matched_from_other_source = False
        if package_id is None and config.record_type != PLAIN_DATASET:
            matches = records.find_matches(config.record_type, built.fields)
            match_ids = {m[0] for m in matches}
            if len(match_ids) > 1:
                described = ", ".join(
                    f"{field}={value} -> {_name(pid)}" for pid, field, value in matches
                )
                self._object_error(
                    obj,
                    f"matches several existing records ({described}); "
                    "not imported, resolve the duplicates first",
                )
                return False
            if match_ids:
                package_id = match_ids.pop()
                existing = records.show(user, package_id) or {}
                matched_from_other_source = existing.get("source_name") != source_name

        now = dt.datetime.now(dt.timezone.utc)
        prov = records.provenance(source_name, obj.guid, content.get("url"), now)
        try:
            if package_id is None:
                result = self._create(obj, config, built, prov, user, source.owner_org)
            elif matched_from_other_source:
                result = self._merge_into_other(obj, package_id, built, user)
            else:
                result = self._update(
                    obj, package_id, built, prov, user, review=config.publish == "review"
                )
        except tk.ValidationError as error:
            model.Session.rollback()
            self._object_error(obj, records.describe_validation_error(error))
            return False
        if result is False:
            return False
        self._make_current(obj, previous)
        return result

    def _create(self, obj, config: SourceConfig, built, prov, user, owner_org) -> bool:
        obj.package_id = records.create(
            user, _new_record_data(obj, config, built, prov, owner_org, taken=set())
        )
        return True

    # --- batches of new records (stages.py claims them, bulk.py writes them) ----------------
    def import_new_batch(
        self, objects: list[HarvestObject]
    ) -> tuple[list[HarvestObject], set[str]]:
        """Import objects of new records together: (objects left to the one-by-one path,
        ids of the objects that failed).

        Runs in one transaction the caller commits (with the objects' final states). Each
        object ends with ``package_id`` and ``current`` set (created), or with its error
        added (failed), or is left to the one-by-one path: a record that matches an existing
        one or another record of the batch (merged one by one, after this batch is
        committed), or that ``bulk.create_many`` leaves to ``package_create``.
        """
        indexing.defer_in_session()  # bulk.create_many indexes the batch itself
        source = self._source_facts(objects[0])
        config = source.config
        user = self._get_user_name()
        now = dt.datetime.now(dt.timezone.utc)
        one_by_one: list[HarvestObject] = []
        failed: set[str] = set()
        candidates: list[tuple[HarvestObject, Any, dict[str, Any]]] = []
        for obj in objects:
            content = self.content_of(obj)
            try:
                built = records.build_fields(content, config)
            except records.RecordError as error:
                self._batch_error(obj, str(error))
                failed.add(obj.id)
                continue
            candidates.append((obj, built, content))
        matched = records.matched_values(
            config.record_type, [built.fields for _obj, built, _content in candidates]
        )
        seen: set[tuple[str, str]] = set()
        # names the batch would take that datasets have already (one statement, not one per
        # record); unique_name still checks the database for the suffixed names it tries
        slugs = {records.slug(built.fields["title"], fallback="") for _o, built, _c in candidates}
        taken = records.names_in_use(slugs)
        free = frozenset(slugs - taken)
        batch: list[tuple[HarvestObject, bulk.NewRecord]] = []
        for obj, built, content in candidates:
            keys = records.match_keys(built.fields) if config.record_type != PLAIN_DATASET else []
            if any(key in matched or key in seen for key in keys):
                one_by_one.append(obj)  # a duplicate: matched and reported one by one
                continue
            seen.update(keys)
            prov = records.provenance(source.name, obj.guid, content.get("url"), now)
            data = _new_record_data(
                obj, config, built, prov, source.owner_org, taken=taken, free=free
            )
            batch.append((obj, bulk.NewRecord(data=data)))
        object_of = {id(record): obj for obj, record in batch}

        def link(record: bulk.NewRecord) -> None:
            obj = object_of[id(record)]
            obj.package_id = record.package_id
            self._make_current(obj, None)

        bulk.create_many(user, [record for _obj, record in batch], on_created=link)
        for obj, record in batch:
            if record.one_by_one:
                one_by_one.append(obj)
            elif record.error is not None:
                self._batch_error(obj, records.describe_validation_error(record.error))
                failed.add(obj.id)
        return one_by_one, failed

    def _batch_error(self, obj, message: str) -> None:
        """An object error added to the batch's transaction (``_object_error`` commits)."""
        text = self._error_text(obj, message)
        log.info("harvest object %s: %s", obj.id, text)
        model.Session.add(HarvestObjectError(message=text, object=obj, stage="Import"))

    def _update(self, obj, package_id: str, built, prov, user, review: bool) -> bool | str:
        existing = records.show(user, package_id)
        wanted = dict(built.fields)
        wanted.update({k: v for k, v in prov.items() if k != "harvested_at"})
        if not records.differences(existing, wanted):
            obj.package_id = package_id
            return "unchanged"
        wanted["harvested_at"] = prov["harvested_at"]
        records.update(user, package_id, wanted, review=review)
        obj.package_id = package_id
        return True

    def _merge_into_other(self, obj, package_id: str, built, user) -> bool | str:
        """The same business, first harvested from another source: fill gaps, report conflicts."""
        existing = records.show(user, package_id)
        diff = records.differences(existing, built.fields)
        gaps = {k: new for k, (old, new) in diff.items() if old in (None, "", [])}
        conflicts = {k: pair for k, pair in diff.items() if k not in gaps and k != "spatial"}
        key = next((f"{f}={built.fields[f]}" for f in MATCH_FIELDS if built.fields.get(f)), "")
        if conflicts:
            described = "; ".join(
                f"{field}: record has {old!r}, this source {new!r}"
                for field, (old, new) in sorted(conflicts.items())
            )
            self._object_error(
                obj,
                f"matched existing record {existing['name']} (from source "
                f"{existing.get('source_name') or 'none'}) by {key}; "
                f"conflicting values kept as they are: {described}",
            )
        obj.package_id = package_id
        if not gaps:
            return "unchanged"
        records.update(user, package_id, gaps)
        return True

    def _withdraw(self, obj, previous, user, source_name) -> bool | str:
        package_id = obj.package_id or (previous.package_id if previous else None)
        existing = records.show(user, package_id) if package_id else None
        if existing is None or existing.get("state") != "active":
            self._make_current(obj, previous)
            return "unchanged"
        if existing.get("source_name") not in (None, "", source_name):
            # Matched record owned by another source: this source just stops tracking it.
            if previous is not None:
                previous.current = False
                model.Session.add(previous)
            obj.package_id = package_id
            return "unchanged"
        if existing.get("operating_status") == "withdrawn":
            self._make_current(obj, previous)
            return "unchanged"
        config = self._source_facts(obj).config
        records.update(
            user,
            package_id,
            {
                "operating_status": "withdrawn",
                "harvested_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            },
            review=config.publish == "review",
        )
        obj.package_id = package_id
        self._make_current(obj, previous)
        return True

    @staticmethod
    def _make_current(obj, previous) -> None:
        # no commit here: ckanext-harvest saves the object right after import_stage
        if previous is not None and previous.id != obj.id:
            previous.current = False
            model.Session.add(previous)
        obj.current = True
        model.Session.add(obj)


class _ObjectRows:
    """The harvest objects of a listing, written with one multi-row insert per table.

    The columns the ORM would set for ``HarvestObject(guid=…, job=job, …)`` with one
    ``status`` extra (its column defaults, and ``harvest_source_id`` from the job as
    ckanext-harvest's ``before_insert`` listener sets it); 10,000 ORM objects and their
    extras took seconds to flush.
    """

    def __init__(self, job) -> None:
        self.job_id = job.id
        self.source_id = job.source_id
        self.gathered = dt.datetime.utcnow()
        self.position = 0
        self.objects: list[dict[str, Any]] = []
        self.extras: list[dict[str, Any]] = []

    def add(self, guid: str, *, status: str, **columns: Any) -> str:
        object_id = make_uuid()
        row = {
            "id": object_id,
            "guid": guid,
            "current": False,
            # one microsecond apart in listing order, the order of the fetch queue's messages:
            # a batch takes the objects whose messages come last (stages.claim)
            "gathered": self.gathered + dt.timedelta(microseconds=self.position),
            "fetch_started": None,
            "content": None,
            "fetch_finished": None,
            "import_started": None,
            "import_finished": None,
            "state": "WAITING",
            "metadata_modified_date": None,
            "retry_times": 0,
            "harvest_job_id": self.job_id,
            "harvest_source_id": self.source_id,
            "package_id": None,
            "report_status": None,
        }
        row.update(columns)
        self.position += 1
        self.objects.append(row)
        self.extras.append(
            {"id": make_uuid(), "harvest_object_id": object_id, "key": STATUS_KEY, "value": status}
        )
        return object_id

    def insert(self) -> None:
        if self.objects:
            model.Session.execute(HarvestObject.__table__.insert(), self.objects)
            model.Session.execute(HarvestObjectExtra.__table__.insert(), self.extras)


@dataclass(frozen=True)
class _SourceFacts:
    id: str
    name: str
    owner_org: str | None
    config: SourceConfig


def _new_record_data(
    obj,
    config: SourceConfig,
    built,
    prov: dict[str, str],
    owner_org,
    *,
    taken: set[str],
    free: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """What ``package_create`` is given for a new record (``taken``: names in use, or given
    in the same transaction; ``free``: names known to be unused — records.unique_name)."""
    data = dict(built.fields)
    data.update(prov)
    data["type"] = config.record_type
    data["owner_org"] = owner_org
    data["name"] = records.unique_name(
        records.slug(data["title"], fallback=f"{config.record_type}-{obj.guid}".lower()),
        taken=taken,
        free=free,
    )
    taken.add(data["name"])
    if config.record_type != PLAIN_DATASET:
        data.update(records.workflow_fields(config.publish))
    else:
        data["private"] = config.publish != "direct"
    return data


def _status(obj) -> str | None:
    return next((extra.value for extra in obj.extras if extra.key == STATUS_KEY), None)


def _is_withdraw(obj) -> bool:
    return _status(obj) in WITHDRAW_STATUSES


def _active(package_id: str) -> bool:
    package = model.Package.get(package_id)
    return package is not None and package.state == "active"


def _name(package_id: str) -> str:
    package = model.Package.get(package_id)
    return package.name if package else package_id
