"""Plugin wiring only: every concern lives in the module the blanket names."""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

# search: importing the room installs the PostgreSQL engine behind CKAN's search module
import ckanext.khtourism.search  # noqa: F401
from ckanext.khtourism import doctor
from ckanext.khtourism.records import facets as record_facets  # records
from ckanext.khtourism.records import privacy  # records: guide personal data
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
class KhTourismPlugin(CuratorPermissionLabels, p.SingletonPlugin):
    p.implements(p.IConfigurer)
    # search, records
    p.implements(p.IPackageController, inherit=True)
    # records
    p.implements(p.IPermissionLabels)
    p.implements(p.IFacets, inherit=True)
    # api: the `views` module's blueprints (records) and the tourism API
    p.implements(p.IBlueprint)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        doctor.preflight(config)  # `ckan khtourism doctor` must work with the database down
        tk.add_template_directory(config, "theme/templates")
        tk.add_public_directory(config, "theme/public")
        tk.add_resource("theme/assets", "khtourism")
        # records
        workflow_activity.register_activity_type()
        privacy.install_log_filter()

    # search: IPackageController
    def before_dataset_search(self, search_params: dict) -> dict:
        return search_hooks.before_dataset_search(search_params)

    # records: IPackageController (personal data of tour guides)
    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return privacy.after_show(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        pkg_dict = privacy.before_index(pkg_dict)
        # api: multi-select fields indexed as lists, so a filter on one value matches
        from .api.indexing import before_index as api_before_index

        return api_before_index(pkg_dict)

    # api: IBlueprint — the `views` module's blueprints (records) and the tourism API
    def get_blueprint(self) -> list[Any]:
        from . import views
        from .api.blueprint import blueprints as api_blueprints

        return [*(getattr(views, name) for name in views.__all__), *api_blueprints()]

    # api: IPackageController — the change feed
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from .api.changes import record_change

        record_change(pkg_dict, "create")

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from .api.changes import record_change

        record_change(pkg_dict, "update")

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from .api.changes import record_change

        record_change(pkg_dict, "delete")

    # records: IFacets (each record type's search page)
    def dataset_facets(self, facets_dict: Any, package_type: str) -> Any:
        return record_facets.dataset_facets(facets_dict, package_type)
