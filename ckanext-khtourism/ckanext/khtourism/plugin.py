"""Plugin wiring only: every concern lives in the module the blanket names."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

# search: importing the room installs the PostgreSQL engine behind CKAN's search module
from ckanext.khtourism import search  # noqa: F401
from ckanext.khtourism.search import hooks as search_hooks

# dcat room: chained ckanext-dcat actions, pages, registry refresh on change
from ckanext.khtourism.dcat import actions as dcat_actions
from ckanext.khtourism.dcat import registry as dcat_registry
from ckanext.khtourism.dcat import views as dcat_views


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
class KhTourismPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    # search
    p.implements(p.IPackageController, inherit=True)
    # dcat
    p.implements(p.IActions)
    p.implements(p.IBlueprint)
    p.implements(p.ISignal)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "theme/templates")
        tk.add_public_directory(config, "theme/public")
        tk.add_resource("theme/assets", "khtourism")

    # search: IPackageController
    def before_dataset_search(self, search_params: dict) -> dict:
        return search_hooks.before_dataset_search(search_params)

    # dcat: IActions, IBlueprint, ISignal
    def get_actions(self) -> dict:
        return dcat_actions.get_actions()

    def get_blueprint(self) -> list:
        return dcat_views.get_blueprints()

    def get_signal_subscriptions(self) -> dict:
        return {tk.signals.action_succeeded: [dcat_registry.on_action_succeeded]}
