"""Plugin wiring only: every concern lives in the module the blanket names."""

from __future__ import annotations

import sys
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

# search: importing the room installs the PostgreSQL engine behind CKAN's search module
import ckanext.khtourism.search  # noqa: F401
from ckanext.khtourism import compat, doctor, theme, unavailable, views
from ckanext.khtourism.api import blueprint as api_blueprint  # api
from ckanext.khtourism.api import indexing as api_indexing  # api
from ckanext.khtourism.changelog import changes as changelog  # change log of published records
from ckanext.khtourism.clients import webhooks as client_webhooks  # clients: webhook dispatch
from ckanext.khtourism.core import i18n as core_i18n  # i18n: our gettext catalogues
from ckanext.khtourism.core import (
    postgres_sessions,  # core: settings of every DB session
    static_files,  # core: static files kept by browsers
    url_rules,  # core: URL builders compiled on first use
    yaml_files,  # core: YAML parsed with libyaml
)
from ckanext.khtourism.dcat import registry as dcat_registry  # dcat: registry refresh on change
from ckanext.khtourism.harvesters import secrets as harvest_secrets  # harvest: write-only secrets
from ckanext.khtourism.logic import session_lookups  # logic: users and organizations held
from ckanext.khtourism.ogc import views as ogc_views  # ogc: OGC API – Features
from ckanext.khtourism.records import facets as record_facets  # records
from ckanext.khtourism.records import licenses as record_licenses  # records
from ckanext.khtourism.records import (
    place_names,  # records: search by place
    privacy,  # records: guide personal data
)
from ckanext.khtourism.records import quality as record_quality  # records: metadata quality
from ckanext.khtourism.search import deferred as search_deferred
from ckanext.khtourism.search import hooks as search_hooks
from ckanext.khtourism.workflow import activity as workflow_activity  # records
from ckanext.khtourism.workflow.labels import CuratorPermissionLabels  # records


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
# records: actions, auth functions, validators and pages of the record types and workflow
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.validators
# blueprints: IBlueprint below (the `views` module's blueprints plus the tourism API)
class KhTourismPlugin(CuratorPermissionLabels, core_i18n.Translation, p.SingletonPlugin):
    p.implements(p.IConfigurer)
    # i18n: theme/i18n/<lang>/LC_MESSAGES/ckanext-khtourism.po (core/i18n.py)
    p.implements(p.ITranslation)
    # search, records
    p.implements(p.IPackageController, inherit=True)
    # records
    p.implements(p.IPermissionLabels)
    p.implements(p.IFacets, inherit=True)
    # dcat (its actions and blueprint are listed in logic/action and views)
    p.implements(p.ISignal)
    # api: the `views` module's blueprints (records), the tourism API and OGC API – Features
    p.implements(p.IBlueprint)
    # faults: PostgreSQL down is a 503 page, not a 500; static files' cache headers
    p.implements(p.IMiddleware, inherit=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # start-up cost, patched here, at load: CKAN 2.11 calls update_config in reverse
        # plugin order, so scheming reads its schemas before our update_config runs
        # core: scheming's schemas parsed with libyaml
        compat.replace("scheming.loader_load", yaml_files.scheming_load)
        # core: URL builders compiled when first used
        compat.wrap("werkzeug.rule_builders_on_first_use", url_rules.lazy_builder)

    # faults, static files: IMiddleware
    def make_middleware(self, app: Any, config: Any) -> Any:
        # i18n: CKAN's JavaScript modules in the user's language under any WSGI server
        core_i18n.ensure_js_translations()
        static_files.install(app)  # core: scripts, styles and images kept by browsers
        return unavailable.install(app)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        doctor.preflight(config)  # `ckan khtourism doctor` must work with the database down
        # compat: every upstream patch checked against the installed source (the doctor lists)
        compat.check_at_startup(config, fail=not doctor.is_doctor_invocation(sys.argv))
        # the theme package's own folders: theme/ in the repository under an editable install
        # (where a path relative to this file would not exist), its copy in a wheel
        tk.add_template_directory(config, theme.TEMPLATES)
        tk.add_public_directory(config, theme.PUBLIC)
        tk.add_resource(theme.ASSETS, "khtourism")
        # records
        workflow_activity.register_activity_type()
        privacy.install_log_filter()
        harvest_secrets.install_log_filter()
        record_licenses.configure(config)
        # logic: a user or organization the session holds is not looked up again
        session_lookups.install()
        # core: every PostgreSQL session without JIT compilation (unless configured)
        postgres_sessions.install(config)

    # search: IPackageController
    def before_dataset_search(self, search_params: dict) -> dict:
        return search_hooks.before_dataset_search(search_params)

    # records: IPackageController (personal data of tour guides)
    # harvest: secrets of source configurations never shown
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        harvest_secrets.after_show(pkg_dict)
        return privacy.after_show(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        pkg_dict = harvest_secrets.before_index(privacy.before_index(pkg_dict))
        pkg_dict = place_names.before_index(pkg_dict)
        pkg_dict = record_quality.before_index(pkg_dict)  # records: the quality facet and sort
        # api: multi-select fields indexed as lists, so a filter on one value matches
        return api_indexing.before_index(pkg_dict)

    # api: IBlueprint — the `views` module's blueprints (records) and the tourism API
    def get_blueprint(self) -> list[Any]:
        return [
            *(getattr(views, name) for name in views.__all__),
            *api_blueprint.blueprints(),
            *ogc_views.blueprints(),
        ]

    # change log: IPackageController — the rows the API's change feed reads
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        changelog.record_change(pkg_dict, "create")

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        changelog.record_change(pkg_dict, "update")

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        changelog.record_change(pkg_dict, "delete")

    # records: IFacets (each record type's search page)
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return record_facets.dataset_facets(facets_dict, package_type)

    # dcat: ISignal
    def get_signal_subscriptions(self) -> dict:
        return {
            tk.signals.action_succeeded: [
                dcat_registry.on_action_succeeded,
                client_webhooks.on_action_succeeded,  # clients: webhooks, in the jobs worker
            ],
            search_deferred.DEFERRED_INDEXED: [dcat_registry.on_deferred_indexed],
        }
