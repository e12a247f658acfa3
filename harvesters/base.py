"""The three stages shared by every khtourism harvester.

gather  reads the whole source once (spreadsheet, feature service); one
        HarvestObject per record, keyed by its stable identifier, holding the
        raw record as content. Records that vanished from a *complete* listing
        get a "withdraw" object. Any source-level fault is a gather error and
        the job ends with nothing imported and nothing withdrawn.
fetch   nothing left to do (the content came with the listing).
import  maps and checks the record, then creates, updates, reports
        ``unchanged``, matches a duplicate from another source, or withdraws —
        always through package_create/package_update, and only records of the
        source's own organization (a row matching another organization's record
        is an object error; nothing is written). A source a business created
        imports in review mode whatever its configuration says (access.py). Every failure is saved
        on its object with the record's row or feature id; no exception
        escapes, so a job can never be left Running by a bad record.
"""

from __future__ import annotations

import dataclasses
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
from ckanext.harvest.model import (
    HarvestObject,
    HarvestObjectError,
    HarvestObjectExtra,
)

from ckanext.khtourism import search
from ckanext.khtourism.core import messages
from ckanext.khtourism.records import duplicates, privacy

from . import (
    access,
    bulk,
    containment,
    errorcap,
    gathering,
    geometry,
    guard,
    indexing,
    matching,
    raw_rows,
    secrets,
    source_urls,
    stages,
)
from .config import SourceConfig, parse
from .mapping import MATCH_FIELDS, PLAIN_DATASET, PORTAL_ID_FIELD
from .sources import SourceError, SourceListing, http

log = logging.getLogger(__name__)

STATUS_KEY = "status"
# the match decision of an imported object ("matched by … to …", "new record …")
MATCH_KEY = "match"
WITHDRAW = "withdraw"
# ckanext-dcat's gather marks vanished datasets "delete": we withdraw them instead.
WITHDRAW_STATUSES = (WITHDRAW, "delete")
# What the import stage returns for a record it withdrew: reported as "withdrawn" in the
# job's stats (stages.py), not as "updated".
WITHDRAWN = "withdrawn"


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
        gathering.install()  # one gather consumer per job, however many run
        guard.install()  # outbound guard and defused XML for the stock harvesters too
        containment.install()  # after stages: its wrappers are the outermost
        source_urls.install()  # a source's URL checked against the others in one query
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
                errorcap.on_action_succeeded,
            ]
        }

    # --- job reports: a source's secrets never enter them (secrets.py); at most
    # ckanext.khtourism.harvest.max_errors_per_job stored per job (HarvesterBase's methods,
    # wrapped by guard.py for every harvester)
    def _save_gather_error(self, message: str, job) -> None:
        source = getattr(job, "source", None)
        super()._save_gather_error(secrets.mask_text(message, getattr(source, "config", None)), job)

    def _save_object_error(self, message: str, obj, stage: str = "Fetch", line=None) -> None:
        source = getattr(obj, "source", None) or getattr(getattr(obj, "job", None), "source", None)
        super()._save_object_error(
            secrets.mask_text(message, getattr(source, "config", None)), obj, stage, line
        )

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
            self._save_gather_error(containment.failure_text("gather", error), harvest_job)
            return None

    def _gather(self, job) -> list[str] | None:
        source = job.source
        try:
            config = self.parse_config(source.config)
        except ValueError as error:
            self._save_gather_error(f"configuration: {error}", job)
            return None
        if (
            access.is_business_source(model.Package.get(source.id))
            and config.record_type not in access.business_record_types()
        ):
            self._save_gather_error(
                _bilingual(
                    "harvest_business_gather",
                    value=config.record_type,
                    choices=", ".join(access.business_record_types()),
                ),
                job,
            )
            return None
        try:
            # every request of the listing counts against one budget (bytes, records, time)
            with http.job_budget():
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
            key, looked_at = matching.source_key(record, config, listing.feature_ids)
            if not key:
                complete = False
                self._save_gather_error(
                    matching.both(
                        "harvest_no_identifier",
                        ref=_refs(record.ref),
                        looked_at=looked_at,
                        problem=f" ({record.problem})" if record.problem else "",
                    ),
                    job,
                )
                continue
            if key in seen:
                # never a silent overwrite: the first row keeps the key, this one is an error
                what = (
                    "harvest_key_name_address"
                    if looked_at == "name + address"
                    else "harvest_key_identifier"
                )
                self._save_gather_error(
                    matching.both(
                        "harvest_key_repeats",
                        ref=_refs(record.ref),
                        what=(messages.text(what, "vi"), messages.text(what, "en")),
                        source_key=repr(key),
                        first=_refs(seen[key]),
                    ),
                    job,
                )
                continue
            seen[key] = record.ref
            before = previous.get(key)
            content = json.dumps(
                record.as_content(listing.crs), ensure_ascii=False, sort_keys=True, default=str
            )
            if (
                before is not None
                and raw_rows.same_content(before.content, content)
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
                _bilingual("harvest_not_withdrawn_incomplete", count=len(vanished)), job
            )
            return []
        if empty and not config.allow_empty:
            self._save_gather_error(_bilingual("harvest_not_withdrawn_empty"), job)
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
        search.defer_in_session()
        try:
            return self._import_stage(harvest_object)
        finally:
            self._redact_raw_row(harvest_object)

    def _redact_raw_row(self, obj) -> None:
        """Imported: the raw row keeps no personal column (raw_rows.py)."""
        if obj.content:
            obj.content = raw_rows.redact(obj.content, self._source_facts(obj).config.mapping)

    def _import_stage(self, harvest_object) -> bool | str:
        try:
            try:
                result = self._import(harvest_object)
            except IntegrityError:
                # Another fetch consumer committed the same new dataset name first (records
                # with the same title): the name is taken now, unique_name picks the next one.
                model.Session.rollback()
                search.defer_in_session()
                result = self._import(harvest_object)
            if result is True or result == WITHDRAWN:
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
            config = self.parse_config(source.config)
            if access.is_business_source(package) and config.publish != "review":
                # a business's source is in review mode whatever its configuration says
                config = dataclasses.replace(config, publish="review")
            facts = _SourceFacts(
                id=source.id,
                name=package.name if package else source.id,
                owner_org=package.owner_org if package else None,
                config=config,
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
            and raw_rows.same_content(previous.content, obj.content)
            and previous.package_id
            and not getattr(obj, "force_import", False)
            and _active(previous.package_id)
        ):
            obj.package_id = previous.package_id
            return "unchanged"

        content = self.content_of(obj)
        try:
            built = matching.build_fields(content, config)
        except matching.RecordError as error:
            self._object_error(obj, str(error))
            return False

        package_id = previous.package_id if previous is not None else obj.package_id
        if package_id and not _active(package_id):
            package_id = None
        if package_id and not self.may_update(package_id, source.owner_org, obj):
            # moved to another organization since this source imported it
            self._object_error(obj, _bilingual("harvest_record_moved"))
            return False
        matched_from_other_source = False
        candidates: list[tuple[str, str]] = []
        if package_id is not None:
            decision = matching.both(
                "match_source_key", source_key=repr(obj.guid), name=_name(package_id)
            )
        elif config.record_type == PLAIN_DATASET:
            decision = matching.both("match_new_plain")
        else:
            match = matching.match_existing(config.record_type, built.fields)
            if match.error:
                self._object_error(obj, match.error)
                return False
            if match.package_id and not _owned_by(match.package_id, source.owner_org):
                # only records of the source's organization are matched (and updated); the
                # message names the row's own identifiers, never the other record's values
                self._object_error(
                    obj, _bilingual("harvest_other_organization", identifier=match.by)
                )
                return False
            package_id, decision, candidates = match.package_id, match.decision, match.candidates
            holder = self._held_by_other_key(source.id, obj.guid, package_id)
            if holder is not None:
                # Two keys of one source never land on one record: kept apart for a curator.
                decision = matching.both(
                    "match_kept_apart_same_source",
                    label=_name(package_id),
                    by=match.by,
                    holder=repr(holder),
                )
                candidates = [(package_id, f"same source, keys {holder!r} and {obj.guid!r}")]
                package_id = None
            if package_id:
                existing = matching.show(user, package_id) or {}
                matched_from_other_source = existing.get("source_name") != source_name
        _record_decision(obj, decision)
        # the portal identifier only matches: the record keeps its own (records/identity.py)
        built.fields.pop(PORTAL_ID_FIELD, None)

        now = dt.datetime.now(dt.timezone.utc)
        prov = matching.provenance(source_name, obj.guid, content.get("url"), now)
        result: bool | str
        try:
            if package_id is None:
                result = self._create(
                    obj, config, built, prov, user, source.owner_org, held=bool(candidates)
                )
                if candidates:
                    duplicates.add_candidates(obj.package_id, candidates, found_by=source_name)
            elif matched_from_other_source:
                result = self._merge_into_other(obj, package_id, built, user)
            else:
                result = self._update(
                    obj, package_id, built, prov, user, review=config.publish == "review"
                )
        except tk.ValidationError as error:
            model.Session.rollback()
            self._object_error(obj, matching.describe_validation_error(error))
            return False
        if result is False:
            return False
        if result is True and config.record_type != PLAIN_DATASET:
            note = matching.commune_notes([obj.package_id]).get(obj.package_id)
            if note:
                _record_decision(obj, f"{decision}; {note}")
        self._make_current(obj, previous)
        return result

    def _create(
        self, obj, config: SourceConfig, built, prov, user, owner_org, *, held: bool = False
    ) -> bool:
        """A new record; ``held``: a duplicate candidate, which waits in the curators' queue
        whatever the source's ``publish`` says."""
        data = _new_record_data(obj, config, built, prov, owner_org, taken=set())
        if held and config.record_type != PLAIN_DATASET:
            data.update(matching.workflow_fields("review"))
        obj.package_id = matching.create(user, data)
        return True

    def may_update(self, package_id: str, owner_org: str | None, harvest_object: Any) -> bool:
        """May this source update or withdraw the record it imported earlier? Only while the
        source's organization ``owner_org`` owns it (a catalogue harvester also accepts the
        organization its publisher names: ``catalogue.CatalogueMixin.may_update``)."""
        return _owned_by(package_id, owner_org)

    @staticmethod
    def _held_by_other_key(source_id: str, guid: str, package_id: str | None) -> str | None:
        """The other key under which this source already holds ``package_id`` (or None)."""
        if not package_id:
            return None
        other = (
            model.Session.query(HarvestObject.guid)
            .filter(
                HarvestObject.harvest_source_id == source_id,
                HarvestObject.package_id == package_id,
                HarvestObject.current.is_(True),
                HarvestObject.guid != guid,
            )
            .first()
        )
        return other.guid if other else None

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
        search.defer_in_session()  # bulk.create_many indexes the batch itself
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
                built = matching.build_fields(content, config)
            except matching.RecordError as error:
                self._batch_error(obj, str(error))
                failed.add(obj.id)
                continue
            candidates.append((obj, built, content))
        matched = matching.matched_values(
            config.record_type, [built.fields for _obj, built, _content in candidates]
        )
        seen: set[tuple[str, str]] = set()
        # names the batch would take that datasets have already (one statement, not one per
        # record); unique_name still checks the database for the suffixed names it tries
        slugs = {matching.slug(built.fields["title"], fallback="") for _o, built, _c in candidates}
        taken = matching.names_in_use(slugs)
        free = frozenset(slugs - taken)
        batch: list[tuple[HarvestObject, bulk.NewRecord]] = []
        named = (
            matching.titles_in_use(
                config.record_type, [built.fields["title"] for _o, built, _c in candidates]
            )
            if config.record_type != PLAIN_DATASET
            else set()
        )
        decided: list[dict[str, Any]] = []
        for obj, built, content in candidates:
            keys = (
                [*matching.match_keys(built.fields), ("title", str(built.fields["title"]).lower())]
                if config.record_type != PLAIN_DATASET
                else []
            )
            if (
                any(key in matched or key in seen for key in keys)
                or str(built.fields["title"]).lower() in named
                or built.fields.get(PORTAL_ID_FIELD)
            ):
                # may be an existing record (or a duplicate candidate): matched one by one
                one_by_one.append(obj)
                continue
            seen.update(keys)
            decided.append(
                {
                    "id": make_uuid(),
                    "harvest_object_id": obj.id,
                    "key": MATCH_KEY,
                    "value": matching.both("match_new_batch"),
                }
            )
            prov = matching.provenance(source.name, obj.guid, content.get("url"), now)
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
        created = {obj.id for obj, record in batch if record.package_id and not record.one_by_one}
        decided = [row for row in decided if row["harvest_object_id"] in created]
        if decided and config.record_type != PLAIN_DATASET:
            package_of = {obj.id: obj.package_id for obj, _record in batch}
            notes = matching.commune_notes(package_of[row["harvest_object_id"]] for row in decided)
            for row in decided:
                note = notes.get(package_of[row["harvest_object_id"]])
                if note:
                    row["value"] = f"{row['value']}; {note}"
        if decided:
            model.Session.execute(HarvestObjectExtra.__table__.insert(), decided)
        for obj, record in batch:
            if record.one_by_one:
                one_by_one.append(obj)
            elif record.error is not None:
                self._batch_error(obj, matching.describe_validation_error(record.error))
                failed.add(obj.id)
        alone = {obj.id for obj in one_by_one}
        for obj in objects:
            if obj.id not in alone:
                self._redact_raw_row(obj)
        return one_by_one, failed

    def _batch_error(self, obj, message: str) -> None:
        """An object error added to the batch's transaction (``_object_error`` commits)."""
        source = getattr(obj, "source", None) or getattr(getattr(obj, "job", None), "source", None)
        text = secrets.mask_text(self._error_text(obj, message), getattr(source, "config", None))
        log.info("harvest object %s: %s", obj.id, text)
        if errorcap.may_store(obj.harvest_job_id):
            model.Session.add(HarvestObjectError(message=text, object=obj, stage="Import"))

    def _update(self, obj, package_id: str, built, prov, user, review: bool) -> bool | str:
        existing = matching.show(user, package_id)
        if existing is None:  # deleted since it was matched
            raise tk.ObjectNotFound(package_id)
        wanted = dict(built.fields)
        wanted.update({k: v for k, v in prov.items() if k != "harvested_at"})
        if not matching.differences(existing, wanted):
            obj.package_id = package_id
            return "unchanged"
        wanted["harvested_at"] = prov["harvested_at"]
        matching.update(user, package_id, wanted, review=review)
        obj.package_id = package_id
        return True

    def _merge_into_other(self, obj, package_id: str, built, user) -> bool | str:
        """The same business, first harvested from another source: fill gaps, report conflicts."""
        existing = matching.show(user, package_id)
        if existing is None:  # deleted since it was matched
            raise tk.ObjectNotFound(package_id)
        diff = matching.differences(existing, built.fields)
        gaps = {k: new for k, (old, new) in diff.items() if old in (None, "", [])}
        conflicts = {k: pair for k, pair in diff.items() if k not in gaps and k != "spatial"}
        key = next((f"{f}={built.fields[f]}" for f in MATCH_FIELDS if built.fields.get(f)), "")
        if conflicts:
            described = "; ".join(
                _conflict_text(field, old, new) for field, (old, new) in sorted(conflicts.items())
            )
            self._object_error(
                obj,
                matching.both(
                    "harvest_conflicting_values",
                    name=existing["name"],
                    source=existing.get("source_name") or "—",
                    by=key,
                    described=described,
                ),
            )
        obj.package_id = package_id
        if not gaps:
            return "unchanged"
        review = self._source_facts(obj).config.publish == "review"
        matching.update(user, package_id, gaps, review=review)
        return True

    def _withdraw(self, obj, previous, user, source_name) -> bool | str:
        package_id = obj.package_id or (previous.package_id if previous else None)
        existing = matching.show(user, package_id) if package_id else None
        if existing is None or existing.get("state") != "active":
            self._make_current(obj, previous)
            return "unchanged"
        source_id = self._source_facts(obj).id
        if (
            existing.get("source_name") not in (None, "", source_name)
            or self._held_by_other_key(source_id, obj.guid, package_id) is not None
            or not self.may_update(
                package_id,
                self._source_facts(obj).owner_org,
                previous if previous is not None and previous.content else obj,
            )
        ):
            # Matched record owned by another source, now held by another key of this source
            # (its key changed), or now owned by another organization: this key just stops
            # tracking it.
            if previous is not None:
                previous.current = False
                model.Session.add(previous)
            obj.package_id = package_id
            return "unchanged"
        if existing.get("operating_status") == "withdrawn":
            self._make_current(obj, previous)
            return "unchanged"
        config = self._source_facts(obj).config
        matching.update(
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
        return WITHDRAWN

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
    in the same transaction; ``free``: names known to be unused — matching.unique_name)."""
    data = dict(built.fields)
    data.update(prov)
    data["type"] = config.record_type
    data["owner_org"] = owner_org
    data["name"] = matching.unique_name(
        matching.slug(data["title"], fallback=f"{config.record_type}-{obj.guid}".lower()),
        taken=taken,
        free=free,
    )
    taken.add(data["name"])
    if config.record_type != PLAIN_DATASET:
        data.update(matching.workflow_fields(config.publish))
    else:
        data["private"] = config.publish != "direct"
    return data


def _record_decision(obj, decision: str) -> None:
    """Keep the match decision on the object (shown with the job's objects)."""
    for extra in list(obj.extras):
        if extra.key == MATCH_KEY:
            obj.extras.remove(extra)
    obj.extras.append(HarvestObjectExtra(key=MATCH_KEY, value=decision[:2000]))


def _conflict_text(field: str, old: Any, new: Any) -> str:
    """One conflicting field of a matched record: a private field's values are not quoted
    (job reports are read by people not entitled to personal data)."""
    if privacy.is_private_field(field):
        return f"{field}: the record and this source differ (personal data, values not shown)"
    return f"{field}: record has {old!r}, this source {new!r}"


def _status(obj) -> str | None:
    return next((extra.value for extra in obj.extras if extra.key == STATUS_KEY), None)


def _is_withdraw(obj) -> bool:
    return _status(obj) in WITHDRAW_STATUSES


def _active(package_id: str) -> bool:
    package = model.Package.get(package_id)
    return package is not None and package.state == "active"


def _owned_by(package_id: str, owner_org: str | None) -> bool:
    """Does the source's organization own the dataset? (Sources update only their own.)"""
    package = model.Package.get(package_id)
    return package is not None and bool(owner_org) and package.owner_org == owner_org


def _bilingual(message: str, **values: Any) -> str:
    """A job-report message (core/messages.py): Vietnamese, then English."""
    return messages.bilingual(message, **values)


def _refs(ref: str) -> tuple[str, str]:
    """Where a record is in its source, in each language ("dòng 4", "row 4")."""
    return ref.replace("row ", "dòng "), ref


def _name(package_id: str) -> str:
    package = model.Package.get(package_id)
    return package.name if package else package_id
