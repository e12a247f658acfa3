"""Plugin wiring only: every concern lives in the module the blanket names."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
class KhTourismPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    # api: the tourism API blueprint and its change feed
    p.implements(p.IBlueprint)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "theme/templates")
        tk.add_public_directory(config, "theme/public")
        tk.add_resource("theme/assets", "khtourism")

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
