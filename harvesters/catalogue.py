"""Catalogue harvesters that land remote datasets as tourism record types.

ckanext-harvest's ``ckan`` harvester and ckanext-dcat's ``dcat_rdf`` harvester
land remote datasets as plain datasets. These thin subclasses keep their
gather stage (remote search / RDF parsing, paging, ckanext-dcat's deletion
detection) and replace the import stage with ours: the remote dataset's
fields and extras become the record's properties, the same mapping
configuration as every other source maps them to a record type, and the
record is written through package_create/package_update with provenance,
workflow, duplicate matching and withdrawal (never deletion).
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

import ckan.model as model
import ckan.plugins as p

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, SearchError
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject

from ckanext.khtourism.core import messages

from . import dcat_gaps, guard, matching
from .base import KhTourismHarvesterBase, _new_record_data, _owned_by
from .mapping import PLAIN_DATASET, RECORD_TYPES

log = logging.getLogger(__name__)

CKAN_HARVESTER_KEYS = (
    "api_version",
    "default_tags",
    "default_groups",
    "default_extras",
    "override_extras",
    "user",
    "api_key",
    "read_only",
    "force_all",
    "remote_groups",
    "remote_orgs",
    "clean_tags",
    "organizations_filter_include",
    "organizations_filter_exclude",
    "groups_filter_include",
    "groups_filter_exclude",
    "ssl_verify",
)
SKIPPED = {
    "extras",
    "resources",
    "tags",
    "groups",
    "organization",
    "owner_org",
    "id",
    "relationships_as_object",
    "relationships_as_subject",
    "type",
    "state",
    "private",
}


# CKAN's dataset names (ckan.logic.validators.name_validator)
NAME_PATTERN = re.compile(r"[a-z0-9_-]{2,100}")
# Keys of a remote dataset dict that are not source columns: the record's own name (kept as
# the new record's name, never mapped: a column called "Name" is a title by default).
NOT_PROPERTIES = {"name", "uri"}


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _property(value: Any) -> Any:
    """A remote value as a source property: text and numbers as they are, lists of them
    (multi-valued fields: ``amenities``, ``languages``, ``services``) as lists; None for
    anything else (nested objects, empty values)."""
    if _scalar(value):
        return value if value != "" else None
    if isinstance(value, list) and value and all(_scalar(v) for v in value):
        return list(value)
    return None


def _coverage_geometry(remote: dict[str, Any]) -> Any:
    """The GeoJSON geometry (or centroid) of ckanext-dcat's ``spatial_coverage`` field (its
    DCAT-AP schema's place for ``dct:spatial``), if any."""
    for coverage in remote.get("spatial_coverage") or []:
        if isinstance(coverage, dict):
            for key in ("geom", "centroid", "bbox"):
                if coverage.get(key):
                    return coverage[key]
    return None


RESOURCE_KEYS = ("name", "description", "url", "format", "mimetype")


def _resources(remote: dict[str, Any]) -> list[dict[str, str]]:
    """The remote dataset's distributions/resources (what a record's resource holds)."""
    out = []
    for resource in remote.get("resources") or []:
        if not isinstance(resource, dict):
            continue
        url = resource.get("url") or resource.get("access_url") or resource.get("download_url")
        if not url:
            continue
        kept = {key: str(resource[key]) for key in RESOURCE_KEYS if resource.get(key)}
        kept["url"] = str(url)
        out.append(kept)
    return out


def _resource_view(resources: list[dict[str, Any]] | None) -> list[tuple[str, ...]]:
    return [tuple(str(r.get(key) or "") for key in RESOURCE_KEYS) for r in resources or []]


def catalogue_content(remote: dict[str, Any], url: str | None) -> dict[str, Any]:
    """A remote dataset dict (CKAN API or ckanext-dcat parser) as a source record."""
    properties: dict[str, Any] = {}
    for key, value in remote.items():
        if key in SKIPPED or key in NOT_PROPERTIES:
            continue
        kept = _property(value)
        if kept is not None:
            properties[key] = kept
    for extra in remote.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") and extra.get("value") not in (None, ""):
            properties.setdefault(extra["key"], extra["value"])
    tags = [t.get("name") for t in remote.get("tags") or [] if isinstance(t, dict)]
    if tags:
        properties.setdefault("tag_string", ",".join(t for t in tags if t))
    geometry = None
    spatial = properties.pop("spatial", None) or _coverage_geometry(remote)
    if spatial:
        try:
            geometry = json.loads(spatial) if isinstance(spatial, str) else spatial
        except ValueError:
            geometry = None
    name = remote.get("name") or remote.get("id")
    return {
        "ref": f"dataset {name}",
        "name": remote.get("name"),
        "resources": _resources(remote),
        "properties": properties,
        "geometry": geometry,
        "crs": "EPSG:4326" if geometry else None,
        "url": url,
        "problem": None
        if geometry is not None or not spatial
        else f"dataset {name}: 'spatial' is not GeoJSON",
    }


if TYPE_CHECKING:
    # the harvesters below put this mixin before KhTourismHarvesterBase
    _CatalogueBase = KhTourismHarvesterBase
else:
    _CatalogueBase = object


class CatalogueMixin(_CatalogueBase):
    """Our import stage over another harvester's gather stage."""

    # the other harvester's gather stage decides what an object holds: one at a time
    BATCH_IMPORT = False

    def content_of(self, harvest_object) -> dict[str, Any]:
        remote = json.loads(harvest_object.content)
        content = catalogue_content(remote, self.remote_url(harvest_object, remote))
        content["owner_org"] = self.owner_org_of(remote)
        return content

    def remote_url(self, harvest_object, remote: dict[str, Any]) -> str | None:
        raise NotImplementedError

    def may_update(self, package_id: str, owner_org: str | None, harvest_object: Any) -> bool:
        """Also the organization the dataset's publisher names (where :meth:`_create` filed
        it: docs/dcat.md "Publisher → organization"); without this, a record filed under its
        publisher was never updated nor withdrawn by the source that created it.
        ``harvest_object``: the object with the remote dataset (this one, or for a withdrawal
        the last one imported)."""
        if super().may_update(package_id, owner_org, harvest_object):
            return True
        if harvest_object is None:
            return False
        content = harvest_object.content
        if not content:
            # a withdrawal object of ckanext-dcat's gather (no content; it marked the
            # guid's earlier objects not current): the last content imported for the guid
            row = (
                model.Session.query(HarvestObject.content)
                .filter(
                    HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                    HarvestObject.guid == harvest_object.guid,
                    HarvestObject.package_id == package_id,
                    HarvestObject.content.isnot(None),
                    HarvestObject.import_finished.isnot(None),
                )
                .order_by(HarvestObject.import_finished.desc())
                .first()
            )
            content = row[0] if row else None
        if not content:
            return False
        try:
            remote = json.loads(content)
        except ValueError:
            return False
        publisher_org = self.owner_org_of(remote) if isinstance(remote, dict) else None
        return bool(publisher_org) and _owned_by(package_id, publisher_org)

    def owner_org_of(self, remote: dict[str, Any]) -> str | None:
        """The local organization the remote dataset names as its publisher, if any."""
        return None

    def _create(self, obj, config, built, prov, user, owner_org, *, held: bool = False) -> bool:
        """A new record keeps the remote dataset's name (the next free ``name-2``… when a
        dataset here has it) and goes to the organization its publisher matches, else to the
        harvest source's. ``held``: a duplicate candidate, which waits in the curators'
        queue whatever the source's ``publish`` says (as in the base class)."""
        content = self.content_of(obj)
        data = _new_record_data(
            obj, config, built, prov, content.get("owner_org") or owner_org, taken=set()
        )
        if held and config.record_type != PLAIN_DATASET:
            data.update(matching.workflow_fields("review"))
        remote_name = content.get("name")
        if isinstance(remote_name, str) and NAME_PATTERN.fullmatch(remote_name):
            data["name"] = matching.unique_name(remote_name)
        if content.get("resources"):
            data["resources"] = content["resources"]
        obj.package_id = matching.create(user, data)
        return True

    def _update(self, obj, package_id: str, built, prov, user, review: bool) -> bool | str:
        """Our update, with the remote dataset's resources when they changed."""
        wanted = self.content_of(obj).get("resources") or []
        existing = matching.show(user, package_id) or {}
        if _resource_view(existing.get("resources")) != _resource_view(wanted):
            built.fields["resources"] = wanted
        return super()._update(obj, package_id, built, prov, user, review)


class CKANCatalogueHarvester(CatalogueMixin, KhTourismHarvesterBase, CKANHarvester):
    """Another CKAN's datasets as tourism records (``khtourism_ckan``)."""

    p.implements(IHarvester)
    p.implements(p.ISignal)
    TYPE_KEYS = {key: object for key in CKAN_HARVESTER_KEYS}
    EXAMPLE_CONFIG = {
        "record_type": "accommodation",
        "organizations_filter_include": ["so-du-lich"],
    }
    fetch_stage = CKANHarvester.fetch_stage

    def gather_stage(self, harvest_job) -> list[str] | None:
        """ckanext-harvest's gather (datasets modified since the last error-free job), then
        "withdraw" objects for records whose dataset the remote CKAN no longer lists.

        The incremental search cannot see disappearances, so the complete list of remote
        dataset ids is read too (with the same organisation/group filters); a search error
        there is a gather error and nothing is withdrawn.
        """
        ids = CKANHarvester.gather_stage(self, harvest_job)
        if ids is None:
            return None  # the remote CKAN could not be searched: nothing changed
        try:
            withdrawn = self._withdraw_vanished(harvest_job, ids)
        except Exception as error:  # noqa: BLE001 - the job must end with a reason
            model.Session.rollback()
            self._save_gather_error(
                f"records missing from the remote CKAN were NOT withdrawn: "
                f"{type(error).__name__}: {error}",
                harvest_job,
            )
            return ids
        return ids + withdrawn

    def _withdraw_vanished(self, harvest_job, gathered_ids: list[str]) -> list[str]:
        source = harvest_job.source
        config = self.parse_config(source.config)
        previous = self.current_objects(source.id)
        if not previous:
            return []
        full_listing_done = self.last_error_free_job(harvest_job) is None or bool(
            self.config.get("force_all", False)
        )
        if full_listing_done:
            listed = {
                obj.guid
                for obj in model.Session.query(HarvestObject.guid).filter(
                    HarvestObject.harvest_job_id == harvest_job.id
                )
            }
        else:
            try:
                listed = {
                    remote["id"]
                    for remote in self._search_for_datasets(
                        source.url.rstrip("/"), self._filter_terms()
                    )
                }
            except SearchError as error:
                self._save_gather_error(
                    f"records missing from the remote CKAN were NOT withdrawn: {error}",
                    harvest_job,
                )
                return []
        objects = self._withdrawals(
            harvest_job, previous, listed, complete=True, empty=not listed, config=config
        )
        model.Session.commit()
        return [obj.id for obj in objects]

    def _filter_terms(self) -> list[str]:
        """The organisation/group filters of ckanext-harvest's gather (``self.config``)."""
        terms: list[str] = []
        include = self.config.get("organizations_filter_include", [])
        exclude = self.config.get("organizations_filter_exclude", [])
        if include:
            terms.append(" OR ".join(f"organization:{name}" for name in include))
        elif exclude:
            terms.extend(f"-organization:{name}" for name in exclude)
        include = self.config.get("groups_filter_include", [])
        exclude = self.config.get("groups_filter_exclude", [])
        if include:
            terms.append(" OR ".join(f"groups:{name}" for name in include))
        elif exclude:
            terms.extend(f"-groups:{name}" for name in exclude)
        return terms

    def info(self) -> dict[str, str]:
        return {
            "name": "khtourism_ckan",
            "title": messages.translate(messages.N_("CKAN → tourism records")),
            "description": messages.translate(
                messages.N_("Datasets of another CKAN, mapped to a tourism record type")
            ),
        }

    def validate_config(self, config: str | None) -> str | None:
        CKANHarvester.validate_config(self, config)
        return KhTourismHarvesterBase.validate_config(self, config)

    def remote_url(self, harvest_object, remote: dict[str, Any]) -> str | None:
        base = (harvest_object.source or harvest_object.job.source).url.rstrip("/")
        return f"{base}/dataset/{remote.get('name') or remote.get('id')}"


def declared_record_type(remote: dict[str, Any]) -> tuple[str | None, str | None]:
    """(the record type a parsed DCAT dataset *is*, the record type it is only *about*).

    Our profile parses a record's ``dct:type`` into ``type``; a register of records (the
    portal's registry datasets) only has the record type's concept as a ``dcat:theme``
    (``theme`` in ckanext-dcat's scheming schema, or its ``theme`` extra).
    """
    from ckanext.khtourism.dcat import vocabulary

    if remote.get("type") in RECORD_TYPES:
        return remote["type"], None
    themes = remote.get("theme")
    if themes is None:
        extras = {e.get("key"): e.get("value") for e in remote.get("extras") or []}
        themes = extras.get("theme")
    if isinstance(themes, str):
        try:
            themes = json.loads(themes)
        except ValueError:
            themes = [themes]
    for theme in themes if isinstance(themes, list) else []:
        about = vocabulary.record_type_from_concept(str(theme))
        if about:
            return None, about
    return None, None


def _canonical(content: str | None) -> str | None:
    """The parsed dataset in one form whatever the order the catalogue wrote it in (keys,
    and list items: rdflib gives a node's values in no fixed order)."""
    if not content:
        return None
    try:
        value = json.loads(content)
    except ValueError:
        return None

    def canonical(item: Any) -> Any:
        if isinstance(item, dict):
            return {k: canonical(v) for k, v in sorted(item.items())}
        if isinstance(item, list):
            items = [canonical(v) for v in item]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return item

    return json.dumps(canonical(value), sort_keys=True, ensure_ascii=False)


def last_import_if_unchanged(harvest_object: HarvestObject) -> HarvestObject | None:
    """The last object of the same source and guid whose import wrote the dataset, if its content
    equals ``harvest_object``'s (in :func:`_canonical` form); else None."""
    current = _canonical(harvest_object.content)
    if current is None:
        return None
    previous = (
        model.Session.query(HarvestObject)
        .filter(
            HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
            HarvestObject.guid == harvest_object.guid,
            HarvestObject.id != harvest_object.id,
            HarvestObject.state == "COMPLETE",
            # the import that wrote the dataset (not a "not modified" one since)
            HarvestObject.report_status.in_(("added", "updated")),
            HarvestObject.package_id.isnot(None),
            HarvestObject.import_finished.isnot(None),
        )
        .order_by(HarvestObject.import_finished.desc())
        .first()
    )
    if previous is None or _canonical(previous.content) != current:
        return None
    return previous


class DCATCatalogueHarvester(CatalogueMixin, KhTourismHarvesterBase, DCATRDFHarvester):
    """A DCAT RDF catalogue's datasets as tourism records (``khtourism_dcat``)."""

    p.implements(IHarvester)
    p.implements(p.ISignal)
    # outbound guard for every DCAT harvester of the process, the stock dcat_rdf too (guard.py)
    p.implements(IDCATRDFHarvester, inherit=True)
    TYPE_KEYS = {"rdf_format": str}
    EXAMPLE_CONFIG = {"record_type": "heritage-site", "rdf_format": "text/turtle"}
    fetch_stage = DCATRDFHarvester.fetch_stage

    def gather_stage(self, harvest_job) -> list[str] | None:
        """ckanext-dcat's gather, minus the datasets that are not records of the source's
        type: a catalogue of this software lists records of every type (each says what it
        is, ``dct:type``) and registers of them (``dcat:theme`` only); they stay listed, so
        nothing is withdrawn because of them, but they are not imported."""
        ids = DCATRDFHarvester.gather_stage(self, harvest_job)
        if not ids:
            return ids
        record_type = self.parse_config(harvest_job.source.config).record_type
        skipped = []
        for obj in model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids)):
            if not obj.content:
                continue  # a withdrawal
            try:
                remote = json.loads(obj.content)
            except ValueError:
                continue  # the import stage reports it
            is_type, about = declared_record_type(remote)
            if (is_type and is_type != record_type) or (about and not is_type):
                skipped.append(obj)
        for obj in skipped:
            for extra in obj.extras:
                model.Session.delete(extra)
            model.Session.delete(obj)
        if skipped:
            model.Session.commit()
            log.info(
                "job %s: %d dataset(s) that are not %s records left out",
                harvest_job.id,
                len(skipped),
                record_type,
            )
        gone = {obj.id for obj in skipped}
        return [obj_id for obj_id in ids if obj_id not in gone]

    def info(self) -> dict[str, str]:
        return {
            "name": "khtourism_dcat",
            "title": messages.translate(messages.N_("DCAT RDF → tourism records")),
            "description": messages.translate(
                messages.N_("Datasets of a DCAT catalogue, mapped to a tourism record type")
            ),
        }

    def validate_config(self, config: str | None) -> str | None:
        DCATRDFHarvester.validate_config(self, config)
        return KhTourismHarvesterBase.validate_config(self, config)

    # IDCATRDFHarvester
    def before_download(self, url: str, harvest_job) -> tuple[str | None, list[str]]:
        return guard.before_download(url, harvest_job)

    def update_session(self, session):
        return guard.update_session(session)

    def after_parsing(self, rdf_parser, harvest_job):
        """Untitled datasets get a title, plain ones without a description say so
        (dcat_gaps.py): a real catalogue's gaps never lose its other datasets."""
        return dcat_gaps.after_parsing(rdf_parser, harvest_job)

    def before_update(self, harvest_object, dataset_dict: dict, temp_dict: dict) -> None:
        """Stock ``dcat_rdf`` (our import stage does not call this hook): a dataset whose
        parsed content is the same as at its last complete import is "not modified".

        ckanext-dcat updates every dataset it finds again, so each unchanged run rewrote
        every record (a new activity, a new ``metadata_modified``) and reported it
        "updated". An empty dict makes it return ``"unchanged"`` (reported "not
        modified"); it sets the object's dataset only when it updates, so it is set here
        (a later withdrawal deletes that dataset)."""
        if getattr(harvest_object, "force_import", False) or not dataset_dict.get("id"):
            return
        previous = last_import_if_unchanged(harvest_object)
        if previous is not None:
            # the last import stays the current one (as for our own harvesters): the
            # dataset, untouched, keeps its ``harvest_object_id`` extra pointing at it
            harvest_object.package_id = dataset_dict["id"]
            harvest_object.current = False
            previous.current = True
            model.Session.add(previous)
            dataset_dict.clear()

    def remote_url(self, harvest_object, remote: dict[str, Any]) -> str | None:
        extras = {e.get("key"): e.get("value") for e in remote.get("extras") or []}
        return remote.get("uri") or extras.get("uri") or harvest_object.guid

    def owner_org_of(self, remote: dict[str, Any]) -> str | None:
        """ckanext-dcat's parser (our profile: ``dct:publisher`` matched to an organization
        of this portal, docs/dcat.md) or its gather stage (the source's organization) set
        ``owner_org`` to a local organization id."""
        owner_org = remote.get("owner_org")
        if not owner_org:
            return None
        group = model.Group.get(owner_org)
        if group is None or not group.is_organization or group.state != "active":
            return None
        return group.id
