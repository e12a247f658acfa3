"""The foundation: plugins load, migrations are complete, the doctor tells the truth."""

from __future__ import annotations

import pytest

from ckan.tests import helpers

REQUIRED_PLUGINS = {"khtourism", "scheming_datasets", "dcat", "harvest", "spatial_metadata"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_status_show_lists_every_plugin():
    status = helpers.call_action("status_show")
    assert set(status["extensions"]) >= REQUIRED_PLUGINS
    assert status["ckan_version"].startswith("2.11.")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_no_pending_migrations(cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["db", "pending-migrations"])
    assert result.exit_code == 0, result.output
    for plugin in ("activity", "harvest", "khtourism"):
        assert plugin not in result.output, result.output


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_default_locale_is_vietnamese(app):
    response = app.get("/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.body
