"""Every patch or re-implementation of upstream code, in one list.

One :class:`Entry` per upstream definition a room of ours replaces, wraps, extends or
re-implements. Each names the upstream definition (a dotted path), what we do, the
upstream release it was written against, the room that holds our code, and the
fingerprint of the upstream source as it was then (:mod:`.fingerprint`). The start-up
check (:mod:`.check`) compares every fingerprint with the installed source (of the
upstream object: the one in place, or the one our patch displaced); ``ckan
khtourism doctor`` lists them. A patch is applied only through :mod:`.patching`, which
refuses a name that is not listed here.

When an upgrade changes a fingerprint: docs/architecture.md, "Upgrading CKAN or an
extension".
"""

from __future__ import annotations

from dataclasses import dataclass

# what we do with the upstream definition
REPLACE = "replace"  # ours is put in its place (the original may still be called)
WRAP = "wrap"  # ours is put in its place and calls the original around its own work
EXTEND = "extend"  # an upstream table gets an entry of ours
REIMPLEMENT = "re-implement"  # ours does the same steps its own way (nothing is patched)
ACTIONS = (REPLACE, WRAP, EXTEND, REIMPLEMENT)

CKAN = ("ckan", "2.11.6")
HARVEST = ("ckanext-harvest", "1.6.3")
DCAT = ("ckanext-dcat", "2.4.4")
RDFLIB = ("rdflib", "7.6.0")
DATEUTIL = ("python-dateutil", "2.9.0.post0")
SCHEMING = ("ckanext-scheming", "3.1.0")
WERKZEUG = ("Werkzeug", "3.1.8")


@dataclass(frozen=True)
class Entry:
    name: str  # unique, stable: what errors, logs and the doctor call it
    upstream: str  # dotted path of the upstream function (its source is fingerprinted)
    action: str  # one of ACTIONS
    package: str  # the distribution that ships it
    written_against: str  # its version when our code was written or last reviewed
    fingerprint: str  # sha256 of the normalised upstream source (fingerprint.py)
    by: str  # our module that holds the replacement or re-implementation
    why: str
    # where the patch is applied when that is not ``upstream`` itself (an instance, a
    # table the upstream function reads, or "*": every loaded module that holds the
    # upstream function by name)
    target: str = ""

    @property
    def patched_path(self) -> str:
        return self.target or self.upstream


def _entry(
    name: str,
    upstream: str,
    action: str,
    release: tuple[str, str],
    fingerprint: str,
    by: str,
    why: str,
    target: str = "",
) -> Entry:
    return Entry(name, upstream, action, release[0], release[1], fingerprint, by, why, target)


ENTRIES: tuple[Entry, ...] = (
    # --- search: the PostgreSQL engine behind CKAN's search module
    _entry(
        "search.make_connection",
        "ckan.lib.search.common.make_connection",
        REPLACE,
        CKAN,
        "6beb018f3fe1b2c4079ca884fce43be25e9103a26f30b0d5bc62e737f0d91e3c",
        "search/__init__.py",
        "every search connection comes from the configured engine (PostgreSQL or Solr)",
        target="*",
    ),
    _entry(
        "search.check_solr_schema_version",
        "ckan.lib.search.check_solr_schema_version",
        WRAP,
        CKAN,
        "08a6f0f1a1486b5e527fd4125fedad58f592ad4bfc0048b5bcfeae01d4757dee",
        "search/__init__.py",
        "start-up never reaches for Solr when the PostgreSQL engine is on",
        target="*",
    ),
    _entry(
        "search.rebuild",
        "ckan.lib.search.rebuild",
        REPLACE,
        CKAN,
        "e643795971a842c2f529e7357e137e95e5b28c29fdf2ca7d00d0630e4900dd2f",
        "search/reindex.py",
        "the rebuild, batched and in one transaction (same options and semantics)",
        target="*",
    ),
    _entry(
        "search.notify_deferred",
        "ckan.lib.search.SynchronousSearchPlugin.notify",
        WRAP,
        CKAN,
        "9de1e173e53fc2185711d594add8b4b2ebd3e664145a013cabb3ff9a166b00f4",
        "search/deferred.py",
        "a dataset indexed once per commit (CKAN notified a new one twice), and not at all "
        "in a session that defers indexing (harvest imports)",
    ),
    _entry(
        "search.get_index",
        "ckan.lib.search.query.PackageSearchQuery.get_index",
        WRAP,
        CKAN,
        "ef8480dc2ddb6897bdfe2a0420f063b1db896621b29dd7bd5ec296ce860f7d27",
        "search/__init__.py",
        "package_show's index copy carries the exact metadata_modified it was built from, so "
        "package_show's 22-character comparison accepts it for every time (a .000 millisecond "
        "time came back without a fraction and the copy, with ckanext-harvest's extras, was "
        "ignored)",
    ),
    _entry(
        "search.package_dictize",
        "ckan.lib.dictization.model_dictize.package_dictize",
        REIMPLEMENT,
        CKAN,
        "4281d80ffb8e7e3235a9e52b4e76d16230fb5f641e1e45c8ec95cf902c094ebd",
        "search/dictize.py",
        "package_show dicts of a batch of datasets, one statement per related table",
    ),
    _entry(
        "search.package_show",
        "ckan.logic.action.get.package_show",
        REIMPLEMENT,
        CKAN,
        "187ca735d1721e2ee2fcd74e9124061b3086c17269472aa4d0b9a9278e5c7c64",
        "search/dictize.py",
        "the hooks and signal package_show runs after dictizing, for a batch",
    ),
    # --- harvest: ckanext-harvest's queue (applied in this order: later wrappers are outer)
    _entry(
        "harvest.fetch_callback.batches",
        "ckanext.harvest.queue.fetch_callback",
        WRAP,
        HARVEST,
        "d501ac4ad565aabae77adb172ae3ac7c3653592d9197f883a1ddb9dd8bf5f33a",
        "harvesters/stages.py",
        "a message of an object a batch has imported is acknowledged and dropped",
    ),
    _entry(
        "harvest.fetch_and_import_stages.single_commit",
        "ckanext.harvest.queue.fetch_and_import_stages",
        WRAP,
        HARVEST,
        "1664550ffab8744f6c44fff26ff0e69cb3309699ce6c5165453cae4af843cde4",
        "harvesters/stages.py",
        "our harvesters' fetch and import in one commit (the same steps, re-implemented), "
        "new records in batches",
    ),
    _entry(
        "harvest.gather_callback.one_consumer",
        "ckanext.harvest.queue.gather_callback",
        WRAP,
        HARVEST,
        "c923103f48f80e3f48de58f84f916aad5ac4acc334bdeabdfe731b72eff06ef9",
        "harvesters/gathering.py",
        "never two gather consumers on one job",
    ),
    _entry(
        "harvest.gather_stage.contained",
        "ckanext.harvest.queue.gather_stage",
        WRAP,
        HARVEST,
        "5621e072c98d0317717a251b39eaedcbdcb8eb3c73068f655e583bf6f3475f77",
        "harvesters/containment.py",
        "a failing gather becomes a job error instead of stopping the consumer",
    ),
    _entry(
        "harvest.fetch_and_import_stages.contained",
        "ckanext.harvest.queue.fetch_and_import_stages",
        WRAP,
        HARVEST,
        "1664550ffab8744f6c44fff26ff0e69cb3309699ce6c5165453cae4af843cde4",
        "harvesters/containment.py",
        "a failing fetch or import becomes an object error",
    ),
    _entry(
        "harvest.gather_callback.contained",
        "ckanext.harvest.queue.gather_callback",
        WRAP,
        HARVEST,
        "c923103f48f80e3f48de58f84f916aad5ac4acc334bdeabdfe731b72eff06ef9",
        "harvesters/containment.py",
        "last line of defence of the gather consumer; consumer heartbeat",
    ),
    _entry(
        "harvest.fetch_callback.contained",
        "ckanext.harvest.queue.fetch_callback",
        WRAP,
        HARVEST,
        "d501ac4ad565aabae77adb172ae3ac7c3653592d9197f883a1ddb9dd8bf5f33a",
        "harvesters/containment.py",
        "last line of defence of the fetch consumer; consumer heartbeat",
    ),
    # --- harvest: the stock harvesters
    _entry(
        "harvest.ckan_get_content",
        "ckanext.harvest.harvesters.ckanharvester.CKANHarvester._get_content",
        REPLACE,
        HARVEST,
        "46dc05cfdc439df3db113bf9c8ec59e7f5e0a183805d7349d04aacf388b45530",
        "harvesters/guard.py",
        "the CKAN harvester's requests go through the outbound guard",
    ),
    _entry(
        "harvest.save_gather_error",
        "ckanext.harvest.harvesters.base.HarvesterBase._save_gather_error",
        WRAP,
        HARVEST,
        "bf532fa3ec42d0d9ad7b4f78e8231e61774918641fb64c06ac671b81e466c0ea",
        "harvesters/guard.py",
        "the per-job error cap for every harvester",
    ),
    _entry(
        "harvest.save_object_error",
        "ckanext.harvest.harvesters.base.HarvesterBase._save_object_error",
        WRAP,
        HARVEST,
        "881f0994d88f3ab263029c7f5b3b19adfcd771d2f806ef8beebe2347061e52dc",
        "harvesters/guard.py",
        "the per-job error cap for every harvester",
    ),
    _entry(
        "harvest.dcat_existing_dataset",
        "ckanext.dcat.harvesters.base.DCATHarvester._get_existing_dataset",
        REPLACE,
        DCAT,
        "e5791f58e6a760714de302f646d662ae9c9da86fa76422f017395de13a65ea72",
        "harvesters/containment.py",
        "the existing dataset is read as the harvest user (private records)",
    ),
    _entry(
        "harvest.source_url_validator",
        "ckanext.harvest.logic.validators.harvest_source_url_validator",
        REPLACE,
        HARVEST,
        "88a628f10b9546fc2290d96fc3d435f98e7d8d36d48393b95e8ef5ac6c4ab4e2",
        "harvesters/source_urls.py",
        "the other sources' URLs and configurations read in one query, not one per source",
        target="*",
    ),
    # --- harvest: new records written in batches
    _entry(
        "harvest.package_create",
        "ckan.logic.action.create.package_create",
        REIMPLEMENT,
        CKAN,
        "931557403c5601ef2e53f99ea65b69e48b769556d001788cee1d3ad79132f7da",
        "harvesters/bulk.py",
        "package_create's steps, once per batch of new records",
    ),
    _entry(
        "harvest.package_dict_save",
        "ckan.lib.dictization.model_save.package_dict_save",
        REIMPLEMENT,
        CKAN,
        "8f121ac3aae302bf7f2cfa5bbbe5bf473a53a8accb8ef87b099dfba5c95bea55",
        "harvesters/bulk.py",
        "a new package and its extras as package_dict_save builds them",
    ),
    _entry(
        "harvest.package_extras_save",
        "ckan.lib.dictization.model_save.package_extras_save",
        REIMPLEMENT,
        CKAN,
        "c611489344552767a659f993833da449ba01eb47da1ab391ec2f6c7fc5f27b56",
        "harvesters/bulk.py",
        "the extras' rows of a new package, written in one multi-row insert",
    ),
    _entry(
        "harvest.package_owner_org_update",
        "ckan.logic.action.update.package_owner_org_update",
        REIMPLEMENT,
        CKAN,
        "705996ca0f4dcc92a39f4973aaa29cea65c7cb53f5b737bdf25ddefe19d3dffa",
        "harvesters/bulk.py",
        "the organization membership of a new package",
    ),
    _entry(
        "harvest.create_package_activity",
        "ckanext.activity.subscriptions._create_package_activity",
        REIMPLEMENT,
        CKAN,
        "f35c0d342e2110fa5c58b6deebedac70014121ed80f605d50f7874bef0062266",
        "harvesters/bulk.py",
        "the 'new package' activity, from the batch's index documents",
    ),
    _entry(
        "harvest.activity_package_changed",
        "ckanext.activity.subscriptions.package_changed",
        REIMPLEMENT,
        CKAN,
        "b746bf0cadc3f397f8f3e980efca3db95997cc7308779f078102a383bbcbb8ad",
        "harvesters/bulk.py",
        "the activity stream's package_create receiver, skipped and done by the batch",
    ),
    # --- harvest: XML of sources without entity declarations
    _entry(
        "harvest.rdfxml_create_parser",
        "rdflib.plugins.parsers.rdfxml.create_parser",
        REIMPLEMENT,
        RDFLIB,
        "c7fe8b7d7358a925f3314441368080bb8588c7a67771b214c06c077c323c59f8",
        "harvesters/sources/safexml.py",
        "RDF/XML parsed on defusedxml's expat reader",
    ),
    _entry(
        "harvest.rdfxml_parse",
        "rdflib.plugins.parsers.rdfxml.RDFXMLParser.parse",
        REIMPLEMENT,
        RDFLIB,
        "e460833e74ce8d47492e01383e0a23e438860a2949119fa05b69ffaa779616fa",
        "harvesters/sources/safexml.py",
        "RDF/XML parsed on defusedxml's expat reader",
    ),
    _entry(
        "harvest.trix_create_parser",
        "rdflib.plugins.parsers.trix.create_parser",
        REIMPLEMENT,
        RDFLIB,
        "9a2a536afa678eed90eb7b786e43ec3651a0e4ed2ef4ed2069e7df257c286b35",
        "harvesters/sources/safexml.py",
        "TriX parsed on defusedxml's expat reader",
    ),
    _entry(
        "harvest.trix_parse",
        "rdflib.plugins.parsers.trix.TriXParser.parse",
        REIMPLEMENT,
        RDFLIB,
        "fd3180cf7a23f9b854dbbc44eb72d9e93c7949a4bb2e6192e818680d623b52fe",
        "harvesters/sources/safexml.py",
        "TriX parsed on defusedxml's expat reader",
    ),
    # --- model lookups
    _entry(
        "model.user_get",
        "ckan.model.user.User.get",
        WRAP,
        CKAN,
        "a143e7480cdacf0d4857dfd4d4c0e9592d6e79dc2c9b8a0ceaade6d641ccce43",
        "logic/session_lookups.py",
        "a user the session already holds is not looked up again (one query per check)",
    ),
    _entry(
        "model.group_get",
        "ckan.model.group.Group.get",
        WRAP,
        CKAN,
        "7dace82aa96fdf87af6928f3b99cd0d9d57f52dfcd022f50a3a029c4fc5a86c3",
        "logic/session_lookups.py",
        "a group or organization the session already holds is not looked up again",
    ),
    # --- api, dcat, workflow, faults
    _entry(
        "api.check_uptodate",
        "ckan.lib.app_globals.app_globals._check_uptodate",
        WRAP,
        CKAN,
        "15dac35de7808919603e1346eb7bd8c02f553fe9deb42928c9755738227a5f3a",
        "api/overhead.py",
        "no runtime-config check (a query and a commit) on tourism API requests; at most "
        "every runtime_config_check_seconds on the others",
    ),
    _entry(
        "views.identify_user",
        "ckan.views.identify_user",
        REPLACE,
        CKAN,
        "617230b36073ee1a5a23e3aa365367345a2abfa351efe6128b023b6b50b60d77",
        "api/overhead.py",
        "no user lookups (two or three queries) for a static file's request",
        target="*",
    ),
    _entry(
        "scheming.loader_load",
        "ckanext.scheming.loader.load",
        REPLACE,
        SCHEMING,
        "aa67c9c89f733d1413f0f582332be57d698b80e260983990818d581f3cdc900c",
        "core/yaml_files.py",
        "the schemas and presets parsed with libyaml, not PyYAML's pure-Python parser "
        "(~0.5 s of every CKAN process's start)",
    ),
    _entry(
        "werkzeug.rule_builders_on_first_use",
        "werkzeug.routing.rules.Rule._compile_builder",
        WRAP,
        WERKZEUG,
        "70fe35c17d1ed04d62aa144c1b893401be8e3772e814b53a2911eea24e4cef51",
        "core/url_rules.py",
        "a URL rule's two building functions compiled when first used, not as the rule is "
        "added (~0.15 s of every CKAN process's start: 836 functions, most never called)",
    ),
    _entry(
        "dcat.parse_date",
        "ckanext.dcat.profiles.base.parse_date",
        REPLACE,
        DATEUTIL,
        "4484b05490979cd98aa498d5a009cb0917811329810efcd3d5e35ab7752a0f03",
        "dcat/fragments.py",
        "a fast path for CKAN's own timestamps (ckanext-dcat's parse_date is dateutil's parse)",
    ),
    _entry(
        "dcat.load_profiles",
        "ckanext.dcat.processors.RDFProcessor._load_profiles",
        WRAP,
        DCAT,
        "d81dcf1002533fa485ec5a98d9c957fc6745bed6f1a5b8f8628c692342febedd",
        "dcat/fragments.py",
        "profile classes loaded once per process (a subclass overrides it)",
    ),
    _entry(
        "workflow.activity_object_id_validators",
        "ckanext.activity.logic.validators.object_id_validator",
        EXTEND,
        CKAN,
        "32d0020dc2c1aded18fb2afb1c367fd0c80e1f45e31cbf2c1bce82c8d2953a2e",
        "workflow/activity.py",
        "activity_create accepts the workflow's activity type (the table the validator reads)",
        target="ckanext.activity.logic.validators.object_id_validators",
    ),
    _entry(
        "faults.error_handler",
        "ckan.config.middleware.flask_app._register_error_handler",
        REIMPLEMENT,
        CKAN,
        "c88264ae7ef1c649fb88f6482cd91fc34f45b60bde9d4b9a58d693042c0ef155",
        "unavailable.py",
        "any other database error answers CKAN's own 500 page (its inner error_handler)",
    ),
    _entry(
        "portal.dashboard_new_activities_count",
        "ckanext.activity.logic.action.dashboard_new_activities_count",
        REIMPLEMENT,
        CKAN,
        "166ce59246b299b9afc37a4349170417c57e28998c5a5759d60274d0936c7078",
        "logic/action/activity.py",
        "the header's badge counts the dashboard's new activities without loading them",
    ),
    _entry(
        "portal.dashboard_activity_list",
        "ckanext.activity.logic.action.dashboard_activity_list",
        REIMPLEMENT,
        CKAN,
        "faa69910d6cc352b0b2d810fdeef551d0ac5fdb19ceca3328009fc91d6e87a80",
        "logic/action/activity.py",
        "its query, limit and notion of a new activity, read as author and time only",
    ),
)

BY_NAME: dict[str, Entry] = {entry.name: entry for entry in ENTRIES}
assert len(BY_NAME) == len(ENTRIES), "compat entry names must be unique"


def entry(name: str) -> Entry:
    """The listed entry ``name`` (``KeyError``: a patch that is not listed is refused)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name} is not a compat entry (compat/registry.py)") from None
