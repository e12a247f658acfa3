"""The suite's shortcuts in CKAN's test machinery (``tests/fast_ckan.py``) change nothing a
test can see: the same folders as CKAN's toolkit, plugins loaded again whenever the
configuration differs."""

from __future__ import annotations

import os
from typing import Any

import pytest

import ckan.plugins as plugins
from ckan.common import config

from tests import fast_ckan


def _add_template_directory(served, config_, relative_path):
    """A caller at the depth of ``toolkit.add_template_directory``."""
    return served(config_, relative_path, "plugin_template_paths")


def test_served_folders_are_those_ckans_toolkit_finds():
    for relative in ("theme/templates", "../public", "/absolute/folder"):
        ours: dict = {}
        theirs: dict = {"plugin_template_paths": ["/already/there"]}
        mine_too: dict = {"plugin_template_paths": ["/already/there"]}
        found = _add_template_directory(fast_ckan._add_served_directory, ours, relative)
        expected = _add_template_directory(fast_ckan.ORIGINAL_ADD_SERVED_DIRECTORY, {}, relative)
        assert found == expected
        assert found == os.path.join(os.path.dirname(__file__), relative)
        assert ours == {"plugin_template_paths": [expected]}
        _add_template_directory(fast_ckan._add_served_directory, mine_too, relative)
        _add_template_directory(fast_ckan.ORIGINAL_ADD_SERVED_DIRECTORY, theirs, relative)
        assert mine_too == theirs


def test_asset_libraries_are_those_ckans_toolkit_finds(monkeypatch):
    import ckan.lib.webassets_tools as webassets_tools

    created: list[tuple[str, str]] = []
    monkeypatch.setattr(webassets_tools, "create_library", lambda n, p: created.append((n, p)))
    fast_ckan._add_resource("theme/assets", "ours")
    fast_ckan.ORIGINAL_ADD_RESOURCE("theme/assets", "theirs")
    folder = os.path.join(os.path.dirname(__file__), "theme/assets")
    assert created == [("ours", folder), ("theirs", folder)]


@pytest.mark.usefixtures("with_plugins")
def test_plugins_are_loaded_again_when_the_configuration_differs(monkeypatch):
    state = fast_ckan.STATE
    assert plugins.plugin_loaded("khtourism")
    assert state.current()
    loads = state.loads
    state.load()
    assert state.loads == loads  # same configuration: nothing to do

    monkeypatch.setitem(config, "ckanext.khtourism.fast_ckan_probe", "changed")
    assert not state.current()
    state.load()
    assert state.loads == loads + 1
    assert state.current()

    monkeypatch.setenv("CKAN_SITE_ID", "another-site")
    assert not state.current()


def test_a_test_without_plugin_fixtures_has_only_the_system_plugins():
    assert not plugins.plugin_loaded("khtourism")
    assert not plugins.plugin_loaded("scheming_datasets")


def _rows_per_table() -> dict[str, int]:
    import sqlalchemy as sa

    from ckan import model

    with model.meta.engine.connect() as connection:
        tables = connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        return {
            table: connection.execute(sa.text(f'SELECT count(*) FROM public."{table}"')).scalar()
            for table in sorted(tables)
        }


def _some_of_everything() -> None:
    from ckan.tests import factories

    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    factories.Dataset(
        owner_org=org["id"], tags=[{"name": "xy"}], extras=[{"key": "k", "value": "v"}]
    )
    factories.Group()
    factories.APIToken(user=user["name"])


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_database_reset_empties_the_tables_ckans_own_empties():
    """Each reset, after the same writes: CKAN's tables (those of its model, the version
    table excepted) empty, every other table untouched — for CKAN's reset and for ours."""
    from ckan import model
    from ckan.tests import helpers

    ckan_tables = {
        table.name for table in model.repo.metadata.sorted_tables if table.name != "alembic_version"
    }
    for reset in (helpers.reset_db, fast_ckan.reset_db):
        _some_of_everything()
        before = _rows_per_table()
        assert any(before[table] for table in ckan_tables if table in before)
        reset()
        after = _rows_per_table()
        assert {table for table in ckan_tables if after.get(table)} == set(), reset
        others = set(before) - ckan_tables
        assert {table: after[table] for table in others} == {
            table: before[table] for table in others
        }, reset


def _declaration(loaders: dict) -> Any:
    """A declaration of the core and every loaded plugin, loaded by ``loaders``."""
    from ckan.config.declaration import Declaration, load

    for fmt, implementer in loaders.items():
        load.handler.register(fmt)(implementer)
    declaration = Declaration()
    declaration.load_core_declaration()
    for plugin in plugins.PluginImplementations(plugins.IConfigDeclaration):
        plugin.declare_config_options(declaration, declaration_key())
    return declaration


def _fields(option: Any) -> dict[str, Any]:
    """What an option declares (``Option`` keeps it in slots)."""
    names = {name for cls in type(option).__mro__ for name in getattr(cls, "__slots__", ())}
    names |= set(getattr(option, "__dict__", {}))
    assert {"flags", "validators", "description", "legacy_key"} <= names
    return {name: getattr(option, name, None) for name in sorted(names)}


def declaration_key():
    from ckan.config.declaration import Key

    return Key()


@pytest.mark.usefixtures("with_plugins")
def test_config_declarations_are_those_ckan_declares():
    from ckan.config.declaration import load

    ours_loaders = {"dict": fast_ckan._load_dict, "core": fast_ckan._load_core}
    try:
        theirs = _declaration({"dict": load.load_dict, "core": load.load_core})
    finally:
        fast_ckan.declarations_validated_once()
    ours = _declaration(ours_loaders)
    again = _declaration(ours_loaders)  # from the remembered validation

    keys = list(theirs.iter_options())
    assert len(keys) > 200
    # options whose default CKAN makes anew for each declaration (secrets.token_urlsafe)
    core = fast_ckan._validated(fast_ckan._CORE_DEFINITION[0])
    made_anew = {
        str(details["key"])
        for group in core["groups"]
        for details in group["options"]
        if "default_callable" in details or "placeholder_callable" in details
    }
    assert made_anew
    for built in (ours, again):
        assert list(built.iter_options()) == keys
        for key in keys:
            mine, expected = built[key], theirs[key]
            if str(key) in made_anew:
                mine_fields, expected_fields = _fields(mine), _fields(expected)
                for name in ("default", "placeholder"):
                    made = (getattr(mine, name), getattr(expected, name))
                    assert type(made[0]) is type(made[1]), (key, name)
                    mine_fields.pop(name), expected_fields.pop(name)
                assert mine_fields == expected_fields, key
            else:
                assert _fields(mine) == _fields(expected), key
    # the configuration template CKAN writes from them: the same, secrets apart
    mine = ours.into_ini(minimal=False, include_docs=True).splitlines()
    expected = theirs.into_ini(minimal=False, include_docs=True).splitlines()
    assert len(mine) == len(expected)
    for line, expected_line in zip(mine, expected, strict=True):
        assert line == expected_line or line.split("=")[0] == expected_line.split("=")[0]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_passwords_hashed_by_the_suite_verify_as_in_the_portal():
    from passlib.hash import pbkdf2_sha512

    from ckan import model
    from ckan.tests import factories

    user = factories.User(password="correct-horse-1")
    stored = model.User.get(user["name"])
    assert pbkdf2_sha512.identify(stored.password)  # the portal's algorithm
    assert stored.validate_password("correct-horse-1")
    assert not stored.validate_password("correct-horse-2")
    # a hash at the portal's own rounds (made by a real CKAN process) verifies as well
    stored._password = pbkdf2_sha512.hash("made-by-the-portal")
    assert pbkdf2_sha512.from_string(stored.password).rounds == pbkdf2_sha512.default_rounds
    assert stored.validate_password("made-by-the-portal")
    assert not stored.validate_password("correct-horse-1")


def _asset_tags(body: str) -> list[str]:
    import re

    return re.findall(r'<(?:link|script)\b[^>]*(?:href|src)="[^"]*"[^>]*>', body)


@pytest.mark.usefixtures("clean_db")
def test_pages_link_the_assets_webassets_gives(app, monkeypatch):
    from webassets.bundle import Bundle

    import ckan.lib.webassets_tools as webassets_tools

    pages = ("/", "/dataset/", "/user/login", "/accommodation/")
    remembered = {page: _asset_tags(app.get(page).get_data(as_text=True)) for page in pages}
    again = {page: _asset_tags(app.get(page).get_data(as_text=True)) for page in pages}
    asked: list[str] = []

    def original(bundle, *args, **kwargs):
        asked.append(bundle.output)
        return fast_ckan.ORIGINAL_BUNDLE_URLS(bundle, *args, **kwargs)

    monkeypatch.setattr(Bundle, "urls", original)
    theirs = {page: _asset_tags(app.get(page).get_data(as_text=True)) for page in pages}
    assert asked  # webassets itself answered these pages
    assert remembered == theirs == again
    assert all(any("/webassets/" in tag for tag in tags) for tags in theirs.values())
    # a bundle of another environment (a new application's) is asked anew
    bundle = webassets_tools.env["base/main"]
    monkeypatch.setattr(Bundle, "urls", fast_ckan._remembered_urls)
    first = bundle.urls()
    bundle.__dict__["_suite_urls"] = (object(), ["/stale.css"])
    assert bundle.urls() == first


def _page_without_tokens(body: str) -> str:
    import re

    # a form's CSRF token and the request's own timing differ between any two requests
    return re.sub(r'(name="_csrf_token" value=|content=)"[^"]*"', r'\1""', body)


@pytest.mark.usefixtures("clean_db")
def test_pages_rendered_from_the_kept_template_code_are_those_jinja_compiles(app):
    environment = app.flask_app.jinja_env
    assert environment.bytecode_cache is fast_ckan.TEMPLATE_CODE
    pages = ("/", "/dataset/", "/user/login", "/accommodation/", "/organization/")
    kept = {page: app.get(page).get_data(as_text=True) for page in pages}
    hits = fast_ckan.TEMPLATE_CODE.hits
    # the same pages with every template compiled by Jinja anew
    environment.cache.clear()
    environment.bytecode_cache = None
    try:
        compiled = {page: app.get(page).get_data(as_text=True) for page in pages}
        # and once more from the kept code alone
        environment.cache.clear()
        environment.bytecode_cache = fast_ckan.TEMPLATE_CODE
        again = {page: app.get(page).get_data(as_text=True) for page in pages}
    finally:
        environment.bytecode_cache = fast_ckan.TEMPLATE_CODE
    assert fast_ckan.TEMPLATE_CODE.hits > hits
    for page in pages:
        assert _page_without_tokens(kept[page]) == _page_without_tokens(compiled[page]), page
        assert _page_without_tokens(again[page]) == _page_without_tokens(compiled[page]), page


def test_kept_template_code_is_used_only_for_the_same_source_and_options():
    import jinja2

    code = fast_ckan.SuiteTemplateCode()
    loader = jinja2.DictLoader({"page.html": "{{ 1 + 1 }} {% trans %}x{% endtrans %}"})
    first = jinja2.Environment(loader=loader, bytecode_cache=code, extensions=["jinja2.ext.i18n"])
    first.install_null_translations()
    assert first.get_template("page.html").render() == "2 x"
    assert code.hits == 0 and len(code.code) == 1
    same = jinja2.Environment(loader=loader, bytecode_cache=code, extensions=["jinja2.ext.i18n"])
    same.install_null_translations()
    assert same.get_template("page.html").render() == "2 x"
    assert code.hits == 1
    # other options: compiled anew, under another key
    other = jinja2.Environment(loader=loader, bytecode_cache=code, variable_start_string="[[")
    other.add_extension("jinja2.ext.i18n")
    other.install_null_translations()
    assert other.get_template("page.html").render() == "{{ 1 + 1 }} x"
    assert code.hits == 1 and len(code.code) == 2
    # another source under the same name: compiled anew
    loader.mapping["page.html"] = "{{ 2 + 2 }}"
    changed = jinja2.Environment(loader=loader, bytecode_cache=code, extensions=["jinja2.ext.i18n"])
    assert changed.get_template("page.html").render() == "4"
    assert code.hits == 1


def test_kept_template_code_serves_every_application_build():
    """Flask gives each application's environment the application's own JSON encoder (a
    policy): two builds still share the code, and a policy the compiler reads does not."""
    import flask

    first, second = flask.Flask("first").jinja_env, flask.Flask("second").jinja_env
    assert first.policies["json.dumps_function"] != second.policies["json.dumps_function"]
    assert fast_ckan._environment_key(first) == fast_ckan._environment_key(second)
    second.policies["ext.i18n.trimmed"] = True  # CKAN's (flask_app.py): read when compiling
    assert fast_ckan._environment_key(first) != fast_ckan._environment_key(second)


def test_every_rule_of_the_portal_gets_the_url_builders_werkzeug_compiles(app):
    rules = list(app.flask_app.url_map.iter_rules())
    assert len(rules) > 300
    shared = 0
    for rule in rules:
        for append_unknown in (False, True):
            compiled = fast_ckan.ORIGINAL_COMPILE_BUILDER(rule, append_unknown)
            kept = fast_ckan._compiled_once(rule, append_unknown)
            assert kept.__code__ == compiled.__code__, rule.rule
            key = fast_ckan.url_builder_key(rule, append_unknown)
            shared += key is not None and fast_ckan.URL_BUILDERS[key] is kept
    assert shared > len(rules)  # most builders are kept ones


def test_a_shared_url_builder_uses_each_rules_own_converters():
    from werkzeug.routing import BaseConverter, IntegerConverter, Map, Rule

    class Padded(IntegerConverter):
        def to_url(self, value: object) -> str:
            return f"{int(value):03d}"  # type: ignore[call-overload]

    padded = Map([Rule("/day/<day:n>", endpoint="day")], converters={"day": Padded})
    plain = Map([Rule("/day/<day:n>", endpoint="day")], converters={"day": BaseConverter})
    padded_rule, plain_rule = next(padded.iter_rules()), next(plain.iter_rules())
    assert padded.bind("example.org").build("day", {"n": 7}) == "/day/007"
    assert plain.bind("example.org").build("day", {"n": 7}) == "/day/7"
    # compiled once, shared (a map's build appends unknown arguments: that builder)
    assert padded_rule._build_unknown.__func__ is plain_rule._build_unknown.__func__
    assert plain.bind("example.org").build("day", {"n": 7, "q": "x"}) == "/day/7?q=x"
    # a rule whose default is resolved into its URL is compiled as Werkzeug does
    with_default = Rule("/week/<int:n>", endpoint="week", defaults={"n": 1})
    Map([with_default])
    assert fast_ckan.url_builder_key(with_default, False) is None


def _schema_files() -> list[str]:
    """The record types' schemas and presets that scheming reads at every plugin load, and
    the plugin's config declaration."""
    from pathlib import Path

    import ckanext.khtourism

    package = Path(ckanext.khtourism.__file__).parent
    schemas = Path(__file__).parents[1] / "schemas"
    files = sorted(str(path) for path in [*schemas.rglob("*.yaml"), *package.rglob("*.yaml")])
    assert len(files) > 5, files
    return files


def test_yaml_files_parsed_once_give_a_fresh_parse_each_a_copy_of_its_own():
    import yaml

    from ckanext.khtourism.core import yaml_files

    for name in _schema_files():
        with open(name, encoding="utf-8") as stream:
            fresh = fast_ckan.ORIGINAL_YAML_LOAD(stream, Loader=yaml_files.SafeLoader)
        copies = []
        for _ in range(2):
            with open(name, encoding="utf-8") as stream:  # scheming's and CKAN's way in
                copies.append(yaml.load(stream, Loader=yaml_files.SafeLoader))  # noqa: S506
        assert copies[0] == fresh and copies[1] == fresh, name
        if isinstance(fresh, (dict, list)) and fresh:
            assert copies[0] is not copies[1], name
            copies[0].clear()  # what one caller changes, the next does not see
            with open(name, encoding="utf-8") as stream:
                assert yaml.load(stream, Loader=yaml_files.SafeLoader) == fresh  # noqa: S506
    assert any(key[0].endswith(".yaml") for key in fast_ckan.PARSED_FILES)


def test_yaml_parsed_once_only_for_whole_files_with_a_safe_loader(tmp_path):
    import yaml

    path = tmp_path / "a.yaml"
    path.write_text("a: &shared [1, 2]\nb: *shared\n", encoding="utf-8")
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=yaml.SafeLoader)  # noqa: S506
    assert data == {"a": [1, 2], "b": [1, 2]} and data["a"] is data["b"]  # aliases kept
    # text, a stream already read into, or an unsafe loader: parsed as before, not kept
    assert fast_ckan.parsed_file_key("a: 1", yaml.SafeLoader) is None
    with path.open(encoding="utf-8") as stream:
        stream.read(3)
        assert fast_ckan.parsed_file_key(stream, yaml.SafeLoader) is None
    with path.open(encoding="utf-8") as stream:
        assert fast_ckan.parsed_file_key(stream, yaml.Loader) is None
        assert fast_ckan.parsed_file_key(stream, yaml.SafeLoader) is not None
    # an edited file is parsed again
    path.write_text("a: 3\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))
    with path.open(encoding="utf-8") as stream:
        assert yaml.load(stream, Loader=yaml.SafeLoader) == {"a": 3}  # noqa: S506


@pytest.mark.usefixtures("with_plugins")
def test_the_model_keeps_its_pooled_engine_after_the_core_migrations():
    """CKAN's migration environment binds the model to an engine without a pool
    (``init_model`` with ``NullPool``); ``keep_engine`` gives it back the pooled one."""
    import sqlalchemy as sa

    from ckan import model

    pooled = model.meta.engine
    assert isinstance(pooled.pool, sa.pool.QueuePool)
    # what ckan/migration/env.py does when the first reset runs the core migrations
    model.init_model(sa.create_engine(pooled.url, poolclass=sa.pool.NullPool))
    assert isinstance(model.meta.engine.pool, sa.pool.NullPool)
    fast_ckan.keep_engine(pooled)
    assert model.meta.engine is pooled
    assert model.Session.execute(sa.text("SELECT 1")).scalar() == 1
    model.Session.remove()
