"""What the suite changes in CKAN's test machinery to stay fast, and why each is equivalent.

CKAN's fixtures rebuild everything for every test: ``with_plugins`` unloads and loads
every plugin (each load and unload re-runs ``environment.update_config``: config
declarations, template and asset folders, scheming's schemas …) and unloads them again
afterwards; ``app`` loads them once more and builds a new Flask application (~420 URL
rules compiled). With the harvest, DCAT, spatial, scheming and activity plugins that is
1–3 s of CPU per test, more than most tests themselves.

1. :func:`toolkit_caller_without_source`: ``tk.add_template_directory``,
   ``add_public_directory`` and ``add_resource`` find their caller's file with
   ``inspect.stack()``, which reads the source lines of every frame of the stack (half of
   a plugin load). The replacement reads the same frame's file name, without the source.
   ``tests/test_fast_ckan.py`` checks both give the same folders.
2. :class:`PluginState`: plugins are loaded, and an application built, once per
   *configuration*: a test whose configuration (the ``ckan_config`` marks, anything a
   fixture set, the environment variables CKAN reads over its file) is the one the
   plugins were last loaded with gets the loaded plugins and the same application;
   any difference loads them again and builds a new application, exactly as CKAN does.
   A test that uses neither ``with_plugins`` nor ``app`` still runs with only the system
   plugins loaded (``conftest.py`` unloads the others before it), as with CKAN's
   fixtures.
3. :func:`reset_db`: CKAN's database reset empties every table of its model when the
   tables exist — but asks PostgreSQL, table by table, whether each exists first (two
   statements per table, ~70 round trips before every test). The replacement reads the
   existing tables once and empties the same tables, in the same order, in one round trip;
   the first reset of a session (tables dropped and created) is CKAN's own — and
   :func:`keep_engine` gives the model back its pooled engine after it.
   ``tests/test_fast_ckan.py`` checks both leave the same rows.
4. :func:`declarations_validated_once`: every plugin load and unload re-reads CKAN's
   config declarations (``environment.update_config``): the core's 1,900-line YAML file
   decoded again, and it and each plugin's declaration validated against CKAN's navl schema
   (~0.1 s per load, twice per plugin load). The files do not change during a session: each
   definition is validated once and a fresh copy of the validated data declared every time,
   by the same steps as CKAN's ``load_dict``. ``tests/test_fast_ckan.py`` checks the
   declarations are the same.
5. :func:`asset_urls_remembered`: every page asks webassets for the URLs of each asset
   bundle it includes (``include_asset``: ~15 per page), and webassets checks every time
   whether the bundle must be built again — the bundle's definition hashed, each source
   file's timestamp read — and hashes the output for its version (~10 % of a page's
   CPU). The asset files do not change during a session: a bundle's URLs are asked for
   once, and the same URLs handed out again (each application build registers new
   bundles, which are asked anew). ``tests/test_fast_ckan.py`` checks the pages link
   the same assets.
6. :data:`TEMPLATE_CODE`: every application build makes a new Jinja environment, which
   compiles each template again the first time a page uses it (~100 templates, ~1 s of
   CPU per build). The compiled code is kept in memory for the session, as Jinja's own
   bytecode caches keep it on disk: keyed by the template's name and file and by the
   environment's options, used only for the same source (Jinja compares its checksum).
   ``tests/test_fast_ckan.py`` checks the pages are the same.
7. :func:`url_builders_compiled_once`: the portal compiles a URL rule's two building
   functions when a URL of the rule is first built (``core/url_rules.py``, compat entry
   ``werkzeug.rule_builders_on_first_use``), not as the ~420 rules are added. Each
   application build still compiles again the few dozen rules its tests build (~1 ms a
   builder). The function depends only on the rule's text, its parsed parts and the names
   of its defaults — it reads the rule's converters when called — so the suite compiles it
   once per such description and shares it: the product's patch is applied here, before
   any plugin load, with this sharing under its first-use step. A rule with a default for
   one of its own variables (resolved into the URL by its converter) is compiled by
   Werkzeug as before. ``tests/test_fast_ckan.py`` checks every rule of the portal gets
   the code Werkzeug compiles.
8. :func:`yaml_files_parsed_once`: every plugin load parses the scheming schemas and
   presets (compat entry ``scheming.loader_load``) and the plugins' config declarations
   again — ~2 % of the workers' CPU, a third of a plugin load. A YAML file read with a
   safe loader is parsed once per content (its path, size and modification time): the
   parsed data is kept pickled and each caller gets a fresh copy (``pickle`` keeps what
   YAML aliases share). Any other stream, or another loader, is parsed as before.
   ``tests/test_fast_ckan.py`` checks the copies equal a fresh parse and are not shared.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pickle
import sys
from collections.abc import Iterator
from typing import Any

import jinja2
import jinja2.bccache
import sqlalchemy as sa
import yaml

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.common import config
from ckan.config.environment import CONFIG_FROM_ENV_VARS


# ------------------------------------------------------------------ 1. toolkit callers
def _caller_file(depth: int) -> str:
    """The file of the frame ``depth`` levels above the caller of this function."""
    return sys._getframe(depth + 1).f_code.co_filename


def _add_served_directory(config_: Any, relative_path: str, config_var: str) -> str:
    """CKAN 2.11's ``toolkit._add_served_directory``, caller found without ``inspect``."""
    assert config_var in ("plugin_template_paths", "plugin_public_paths")
    # frames: this function, add_template_directory/add_public_directory, their caller
    this_dir = os.path.dirname(_caller_file(2))
    absolute_path = os.path.join(this_dir, relative_path)
    if absolute_path not in config_.get(config_var, []):
        if config_var in config_:
            config_[config_var] = [absolute_path] + config_[config_var]
        else:
            config_[config_var] = [absolute_path]
    return absolute_path


def _add_resource(path: str, name: str) -> None:
    """CKAN 2.11's ``toolkit.add_resource``, caller found without ``inspect``."""
    from ckan.lib.webassets_tools import create_library

    this_dir = os.path.dirname(_caller_file(1))
    create_library(name, os.path.join(this_dir, path))


ORIGINAL_ADD_SERVED_DIRECTORY = toolkit._add_served_directory
ORIGINAL_ADD_RESOURCE = toolkit.add_resource


def toolkit_caller_without_source() -> None:
    toolkit._add_served_directory = _add_served_directory
    toolkit.add_resource = _add_resource


# ------------------------------------------------------------- 2. plugins and the app
# Fixtures after which the plugins named by ``ckan.plugins`` are loaded.
PLUGIN_FIXTURES = frozenset({"with_plugins", "app", "make_app"})


def fingerprint() -> str:
    """The configuration a plugin load depends on: CKAN's config object and the
    environment variables ``update_config`` reads over it."""
    environment = sorted((name, os.environ.get(name)) for name in CONFIG_FROM_ENV_VARS.values())
    return repr((sorted((key, repr(value)) for key, value in config.items()), environment))


class PluginState:
    """The configurations the loaded plugins (and :attr:`app`) were built for."""

    def __init__(self) -> None:
        self.fingerprints: set[str] = set()
        self.app: Any = None
        self.loads = 0
        self.reuses = 0

    def current(self) -> bool:
        """Whether the plugins loaded now are those this configuration would load."""
        return (
            bool(self.fingerprints)
            and fingerprint() in self.fingerprints
            and all(
                plugins.plugin_loaded(name) for name in toolkit.aslist(config.get("ckan.plugins"))
            )
        )

    def load(self) -> None:
        """``with_plugins``: load the plugins unless they are loaded for this configuration."""
        if self.current():
            self.reuses += 1
            return
        before = fingerprint()
        plugins.load_all()
        self.loads += 1
        self.fingerprints = {before, fingerprint()}
        self.app = None

    def make_app(self, build: Any) -> Any:
        """``make_app()``: the application built for this configuration, or a new one
        (``build`` loads the plugins itself, as CKAN's ``_get_test_app`` does)."""
        if self.app is not None and self.current():
            from ckan.lib import app_globals

            app_globals.reset()  # what a new application's environment would read
            self.reuses += 1
            return self.app
        # The plugins loaded now stay right for the configurations they were loaded for
        # (``with_plugins`` ran before: a mark's "true" is True once CKAN has read it):
        # building the application loads them again for the same configuration.
        known = self.fingerprints if self.current() else set()
        before = fingerprint()
        self.app = templates_compiled_once(build())
        self.loads += 1
        self.fingerprints = known | {before, fingerprint()}
        return self.app

    @contextlib.contextmanager
    def loaded(self) -> Iterator[None]:
        """The plugins loaded for a while (e.g. for their migrations), as they were after."""
        was_loaded = self.current()
        self.load()
        try:
            yield
        finally:
            if not was_loaded:
                self.unload()

    def unload(self) -> None:
        """Before a test that asks for no plugins: only the system plugins, as CKAN's
        ``with_plugins`` leaves them after each test."""
        if self.fingerprints or self.app is not None:
            plugins.unload_non_system_plugins()
        self.fingerprints = set()
        self.app = None


STATE = PluginState()


# ---------------------------------------------------------------- 3. database reset
def existing_tables(connection: Any) -> set[str]:
    """The tables of the schemas on the search path (what SQLAlchemy's ``has_table``
    finds for a table without a schema)."""
    return set(
        connection.execute(
            sa.text(
                "SELECT c.relname FROM pg_catalog.pg_class c "
                "WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND pg_table_is_visible(c.oid)"
            )
        ).scalars()
    )


def _delete_all() -> None:
    """CKAN 2.11's ``Repository.delete_all``: every table of CKAN's model that exists,
    ``alembic_version`` excepted, emptied in reverse dependency order — in one round trip."""
    from ckan import model

    repo = model.repo
    repo.session.remove()
    connection = repo.session.connection()
    existing = existing_tables(connection)
    statements = [
        f"DELETE FROM {connection.dialect.identifier_preparer.format_table(table)}"
        for table in reversed(repo.metadata.sorted_tables)
        if table.name != "alembic_version" and table.name in existing
    ]
    if statements:
        connection.exec_driver_sql("; ".join(statements))
    repo.session.commit()


def keep_engine(engine: Any) -> None:
    """The model bound to ``engine`` again after a database reset that ran CKAN's core
    migrations (the first reset of a session, which drops the tables): their environment
    binds the model to an engine of its own without a pool (``ckan/migration/env.py``:
    ``init_model`` with a ``NullPool`` engine), and every checkout after it opened a new
    connection to PostgreSQL — its session settings included — until the plugins were next
    loaded (up to twice as slow for the tests in between, which ones depending on the
    order). The engine the plugins' load made (CKAN's pooled one) serves them again."""
    from ckan import model

    current = getattr(model.meta, "engine", None)
    if engine is None or current is engine:
        return
    model.init_model(engine)
    if current is not None:
        current.dispose()


def reset_db() -> None:
    """CKAN 2.11's ``ckan.tests.helpers.reset_db`` (``Session.close_all`` and
    ``Repository.rebuild_db``) with :func:`_delete_all` for CKAN's ``delete_all``."""
    from ckan import model

    repo = model.repo
    model.Session.close_all()
    if not repo.tables_created_and_initialised:
        repo.rebuild_db()  # drop and create: CKAN's own
        return
    _delete_all()
    repo.session.remove()
    repo.init_db()
    repo.session.flush()


# ------------------------------------------------------------ 4. config declarations
_VALIDATED: dict[str, Any] = {}
_CORE_DEFINITION: list[Any] = []


def _validated(definition: Any) -> Any:
    """``definition`` validated against CKAN's ``config_declaration_v1`` (once per text)."""
    key = json.dumps(definition, sort_keys=True, default=repr)
    if key not in _VALIDATED:
        from ckan.lib.navl.dictization_functions import validate
        from ckan.logic import ValidationError
        from ckan.logic.schema import config_declaration_v1

        data, errors = validate(dict(definition), config_declaration_v1())
        if errors:
            raise ValidationError(errors)
        _VALIDATED[key] = data
    # a copy as validation made it: the options' own dicts, and defaults and examples
    # (which end up in CKAN's config) in containers of their own; the keys (CKAN's ``Key``
    # objects) and callables as they are
    data = _VALIDATED[key]
    return {
        **data,
        "groups": [
            {
                **group,
                "options": [
                    {
                        name: copy.deepcopy(value)
                        if name in ("default", "example", "callable_args", "__extras")
                        else value
                        for name, value in details.items()
                    }
                    for details in group["options"]
                ],
            }
            for group in data["groups"]
        ],
    }


def _load_dict(declaration: Any, definition: Any) -> None:
    """CKAN 2.11's ``ckan.config.declaration.load.load_dict``, validation remembered."""
    from ckan.config.declaration.load import option_types
    from ckan.config.declaration.option import Flag

    if definition["version"] != 1:
        return
    data = _validated(definition)
    for group in data["groups"]:
        if group["annotation"]:
            declaration.annotate(group["annotation"]).set_section(group["section"])

        for details in group["options"]:
            factory = option_types[details["type"]]
            option = getattr(declaration, factory)(details["key"], details.get("default"))
            option.set_section(group["section"])
            option.append_validators(details["validators"])
            option.legacy_key = details.get("legacy_key")

            extras = details.setdefault("__extras", {})
            for flag in Flag:
                if extras.get(flag.name):
                    option.set_flag(flag)

            if details["description"]:
                option.set_description(details["description"])

            if details["placeholder"]:
                option.set_placeholder(details["placeholder"])

            if "example" in details:
                option.example = details["example"]

            if "default_callable" in details:
                args = details.get("callable_args", {})
                option.set_default(details["default_callable"](**args))

            if "placeholder_callable" in details:
                args = details.get("callable_args", {})
                option.set_placeholder(details["placeholder_callable"](**args))


def _load_core(declaration: Any) -> None:
    """CKAN 2.11's ``load_core``: its declaration file decoded once per process."""
    import pathlib

    import msgspec

    from ckan.config.declaration import load

    if not _CORE_DEFINITION:
        source = pathlib.Path(load.__file__).parent / ".." / "config_declaration.yaml"
        _CORE_DEFINITION.append(msgspec.yaml.decode(source.read_bytes()))
    _load_dict(declaration, _CORE_DEFINITION[0])


def declarations_validated_once() -> None:
    from ckan.config.declaration import load

    load.handler.register("dict")(_load_dict)
    load.handler.register("core")(_load_core)


# ------------------------------------------------------------------ 5. asset URLs
ORIGINAL_BUNDLE_URLS: Any = None


def _remembered_urls(bundle: Any, *args: Any, **kwargs: Any) -> Any:
    """``Bundle.urls``: the bundle's URLs as webassets gave them the first time (the
    output built then, if it had to be), for CKAN's ``include_asset`` call without
    arguments; any other call as webassets answers it."""
    if args or kwargs:
        return ORIGINAL_BUNDLE_URLS(bundle, *args, **kwargs)
    # the bundle's own __dict__: Bundle.__getattr__ would look the name up in its options
    remembered = bundle.__dict__.get("_suite_urls")
    if remembered is None or remembered[0] is not bundle.env:
        remembered = (bundle.env, ORIGINAL_BUNDLE_URLS(bundle))
        bundle.__dict__["_suite_urls"] = remembered
    return list(remembered[1])


def asset_urls_remembered() -> None:
    global ORIGINAL_BUNDLE_URLS
    from webassets.bundle import Bundle

    if ORIGINAL_BUNDLE_URLS is None:
        ORIGINAL_BUNDLE_URLS = Bundle.urls
    Bundle.urls = _remembered_urls


# ---------------------------------------------------------------- 6. compiled templates
def _option_key(value: Any) -> str:
    return getattr(value, "__qualname__", None) or repr(value)


def _environment_key(environment: Any) -> str:
    """What a template's compiled code depends on besides its source."""
    options = (
        sorted(environment.extensions),
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        _option_key(environment.autoescape),
        _option_key(environment.finalize),
        _option_key(environment.undefined),
        _option_key(environment.code_generator_class),
        # by name for a function, as the options above: Flask puts its application's own
        # JSON encoder (a bound method, whose repr holds the object's address) among the
        # policies, and a key with that address would differ for every application build
        sorted((name, _option_key(value)) for name, value in environment.policies.items()),
    )
    return hashlib.sha1(repr(options).encode()).hexdigest()


class SuiteTemplateCode(jinja2.BytecodeCache):
    """Jinja's compiled templates, in memory for the session (see 6. above)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}
        self.hits = 0

    def get_bucket(self, environment: Any, name: str, filename: Any, source: str) -> Any:
        key = f"{self.get_cache_key(name, filename)}-{_environment_key(environment)}"
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Any) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # reset when the checksum differs
            if bucket.code is not None:
                self.hits += 1

    def dump_bytecode(self, bucket: Any) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = SuiteTemplateCode()


def templates_compiled_once(app: Any) -> Any:
    """``app`` (CKAN's test app) with its Jinja environment using :data:`TEMPLATE_CODE`."""
    app.flask_app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


# ------------------------------------------------------------ 7. URL rule builders
ORIGINAL_COMPILE_BUILDER: Any = None
URL_BUILDERS: dict[tuple[Any, ...], Any] = {}


def url_builder_key(rule: Any, append_unknown: bool) -> tuple[Any, ...] | None:
    """What Werkzeug's builder function for ``rule`` is made of, or None when a default
    of the rule's own variables is resolved into it (by the rule's converter)."""
    defaults = rule.defaults or {}
    if any(is_dynamic and part in defaults for is_dynamic, part in rule._trace):
        return None
    return (append_unknown, rule.rule, tuple(rule._trace), tuple(str(name) for name in defaults))


def _compiled_once(rule: Any, append_unknown: bool = True) -> Any:
    """``Rule._compile_builder``, the function shared by rules with the same key."""
    key = url_builder_key(rule, append_unknown)
    if key is None:
        return ORIGINAL_COMPILE_BUILDER(rule, append_unknown)
    builder = URL_BUILDERS.get(key)
    if builder is None:
        builder = URL_BUILDERS[key] = ORIGINAL_COMPILE_BUILDER(rule, append_unknown)
    return builder


def url_builders_compiled_once() -> None:
    global ORIGINAL_COMPILE_BUILDER
    from werkzeug.routing.rules import Rule

    from ckanext.khtourism import compat
    from ckanext.khtourism.core import url_rules

    # what the plugin's load applies (compat keeps Werkzeug's own)
    compat.wrap("werkzeug.rule_builders_on_first_use", url_rules.lazy_builder)
    if ORIGINAL_COMPILE_BUILDER is None:
        ORIGINAL_COMPILE_BUILDER = compat.original("werkzeug.rule_builders_on_first_use")
    Rule._compile_builder = url_rules.lazy_builder(_compiled_once)  # type: ignore[method-assign]


# ------------------------------------------------------------ 8. YAML files parsed once
ORIGINAL_YAML_LOAD: Any = None
SAFE_LOADERS = tuple(
    loader for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None)) if loader
)
PARSED_FILES: dict[tuple[Any, ...], bytes] = {}


def parsed_file_key(stream: Any, loader: Any) -> tuple[Any, ...] | None:
    """What a safe parse of ``stream`` depends on when it is a whole file: its path,
    size and modification time, and the loader; None for anything else."""
    if loader not in SAFE_LOADERS or isinstance(stream, (str, bytes)):
        return None
    name = getattr(stream, "name", None)
    if not isinstance(name, str) or not os.path.isfile(name):
        return None
    try:
        if stream.tell() != 0:
            return None
    except (AttributeError, OSError, ValueError):
        return None
    status = os.stat(name)
    return (os.path.realpath(name), status.st_size, status.st_mtime_ns, loader)


def _parsed_once(stream: Any, Loader: Any = None) -> Any:  # noqa: N803 - PyYAML's name
    """``yaml.load``: a file's data parsed once (see 8. above), a fresh copy each call."""
    key = parsed_file_key(stream, Loader)
    if key is None:
        return ORIGINAL_YAML_LOAD(stream, Loader=Loader)
    pickled = PARSED_FILES.get(key)
    if pickled is None:
        pickled = PARSED_FILES[key] = pickle.dumps(ORIGINAL_YAML_LOAD(stream, Loader=Loader))
    return pickle.loads(pickled)  # noqa: S301 - data this process pickled itself


def yaml_files_parsed_once() -> None:
    global ORIGINAL_YAML_LOAD
    if ORIGINAL_YAML_LOAD is None:
        ORIGINAL_YAML_LOAD = yaml.load
    yaml.load = _parsed_once
