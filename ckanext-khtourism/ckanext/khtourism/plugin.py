"""Plugin wiring only: every concern lives in the module the blanket names."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

# search: importing the room installs the PostgreSQL engine behind CKAN's search module
from ckanext.khtourism import search  # noqa: F401
from ckanext.khtourism.search import hooks as search_hooks


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
class KhTourismPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    # search
    p.implements(p.IPackageController, inherit=True)
    # api: the tourism API blueprint (its change feed uses IPackageController above)
    p.implements(p.IBlueprint)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "theme/templates")
        tk.add_public_directory(config, "theme/public")
        tk.add_resource("theme/assets", "khtourism")

    # search: IPackageController
    def before_dataset_search(self, search_params: dict) -> dict:
        return search_hooks.before_dataset_search(search_params)

    # IBlueprint (api)
    def get_blueprint(self) -> list[Any]:
        from .api.blueprint import blueprints as api_blueprints

        return [*api_blueprints()]

    # IPackageController (api: change feed)
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from .api.changes import record_change

        record_change(pkg_dict, "create")

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from .api.changes import record_change

        record_change(pkg_dict, "update")

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        from .api.changes import record_change

        record_change(pkg_dict, "delete")
