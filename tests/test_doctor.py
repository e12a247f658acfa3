"""``ckan khtourism doctor``: healthy on a good install, precise when the database is down."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ckanext.khtourism.local import services


def _ckan_command() -> str:
    return str(Path(sys.executable).with_name("ckan"))


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_doctor_reports_a_healthy_install(cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["khtourism", "doctor"])
    assert result.exit_code == 0, result.output
    for check in ("configuration", "database", "migrations", "redis", "search"):
        assert f"[OK  ] {check}:" in result.output
    # every patch or re-implementation of upstream code, each on its line, all green
    from ckanext.khtourism.compat import ENTRIES

    compat_lines = [line for line in result.output.splitlines() if " compat: " in line]
    assert len(compat_lines) == len(ENTRIES)
    for line, entry in zip(compat_lines, ENTRIES, strict=True):
        assert line.startswith("[OK  ] compat: ") and f"'{entry.name}'" in line, line
    assert "All checks passed." in result.output


def test_doctor_reports_a_stopped_database(tmp_path):
    """A real PostgreSQL is started, then stopped; the doctor must say so plainly."""
    url_template, stop = services.start_postgres(tmp_path / "pg", ["doctor_probe"])
    stopped_url = url_template.format(db="doctor_probe")
    stop()

    test_ini = os.environ["KHTOURISM_TEST_INI"]
    parser = configparser.RawConfigParser(strict=False)
    parser.read(test_ini, encoding="utf-8")
    parser.set("app:main", "sqlalchemy.url", stopped_url)
    broken_ini = tmp_path / "stopped-db.ini"
    with broken_ini.open("w", encoding="utf-8") as handle:
        parser.write(handle)

    env = {k: v for k, v in os.environ.items() if k != "CKAN_SQLALCHEMY_URL"}
    result = subprocess.run(
        [_ckan_command(), "-c", str(broken_ini), "khtourism", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    socket_dir = str(tmp_path / "pg")
    assert "[FAIL] database: cannot connect to PostgreSQL" in result.stdout
    assert socket_dir in result.stdout  # says which server it tried
    assert "Is the server running" in result.stdout
    assert "[OK  ] redis:" in result.stdout  # the other checks still ran
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_doctor_reports_index_drift_and_repair_fixes_it(cli):
    import sqlalchemy as sa

    from ckan import model
    from ckan.cli.cli import ckan
    from ckan.tests import factories

    org = factories.Organization()
    kept = factories.Dataset(title="Khách sạn Biển Xanh", owner_org=org["id"])
    lost = factories.Dataset(title="Khách sạn Hòn Chồng", owner_org=org["id"])
    changed = factories.Dataset(title="Nhà nghỉ Sao Mai", owner_org=org["id"])
    assert (
        "[OK  ] search index: agrees with the database"
        in cli.invoke(ckan, ["khtourism", "doctor"]).output
    )

    # faults behind the engine's back: a row lost, a row out of date, a row of nothing
    model.Session.execute(
        sa.text("DELETE FROM khtourism_search_doc WHERE id = :id"), {"id": lost["id"]}
    )
    model.Session.execute(
        sa.text(
            "UPDATE package SET metadata_modified = now() AT TIME ZONE 'UTC', title = 'Mới' WHERE id = :id"
        ),
        {"id": changed["id"]},
    )
    columns = [
        row[0]
        for row in model.Session.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "'public' AND table_name = 'khtourism_search_doc' AND column_name <> 'doc_key' "
                "AND is_generated = 'NEVER' "
                "ORDER BY ordinal_position"
            )
        )
    ]
    values = [{"id": "'ghost-id'", "name": "'ghost'"}.get(column, column) for column in columns]
    model.Session.execute(
        sa.text(
            f"INSERT INTO khtourism_search_doc ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM khtourism_search_doc WHERE id = :id"
        ),
        {"id": kept["id"]},
    )
    model.Session.commit()

    result = cli.invoke(ckan, ["khtourism", "doctor"])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "search index" in x)
    assert line.startswith("[FAIL]")
    assert f"1 missing ({lost['id']})" in line
    assert "1 extra (ghost-id)" in line
    assert f"1 stale ({changed['id']})" in line
    assert "dataset/active: 3" in line
    assert "ckan khtourism search repair" in line

    repaired = cli.invoke(ckan, ["khtourism", "search", "repair"])
    assert repaired.exit_code == 0, repaired.output
    after = cli.invoke(ckan, ["khtourism", "doctor"])
    assert after.exit_code == 0, after.output
    assert "[OK  ] search index: agrees with the database" in after.output
    from ckan.tests import helpers

    titles = {r["title"] for r in helpers.call_action("package_search", q="*:*")["results"]}
    assert titles == {"Khách sạn Biển Xanh", "Khách sạn Hòn Chồng", "Mới"}
