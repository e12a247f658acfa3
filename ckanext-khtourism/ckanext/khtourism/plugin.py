"""Plugin wiring only: every concern lives in the module the blanket names."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.cli
@tk.blanket.helpers
class KhTourismPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer
    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "theme/templates")
        tk.add_public_directory(config, "theme/public")
        tk.add_resource("theme/assets", "khtourism")
