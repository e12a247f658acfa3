"""``ckan khtourism …`` commands."""

from __future__ import annotations

from pathlib import Path

import click

from ckanext.khtourism import doctor as doctor_checks
from ckanext.khtourism.dcat import cli as dcat_cli
from ckanext.khtourism.harvesters import cli as harvest_cli
from ckanext.khtourism.reporting import cli as reporting_cli

__all__ = ["khtourism"]


@click.group(short_help="Khánh Hòa tourism portal commands")
def khtourism() -> None:
    """Commands of the Khánh Hòa tourism portal."""


@khtourism.command()
def doctor() -> None:
    """Check the database, Redis, migrations, search and configuration."""
    errors = doctor_checks.print_report(doctor_checks.run_checks(), click.echo)
    if errors:
        raise SystemExit(1)


# search: the index compared with the database, and repaired
@khtourism.group()
def search() -> None:
    """The search index."""


@search.command("repair")
def search_repair() -> None:
    """Re-index the datasets the index misses or holds in an older version; drop rows of
    datasets that are gone (what ``ckan khtourism doctor`` reports as drift)."""
    from ckanext.khtourism.search import drift

    repaired = drift.repair()
    if repaired.clean:
        click.echo("The search index agrees with the database; nothing to repair.")
        return
    click.echo(f"Repaired: {repaired.describe()}")
    left = drift.find()
    if not left.clean:
        click.echo(f"Still different: {left.describe()}", err=True)
        raise SystemExit(1)


# records: demo data
@khtourism.group()
def demo() -> None:
    """Demo data for trying the portal."""


@demo.command("load")
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the demo users' logins (random passwords) to this JSON file (mode 600).",
)
def demo_load(credentials_file: Path | None) -> None:
    """Create the Department, a few businesses, their users and a few dozen records."""
    from ckanext.khtourism.records import demo as demo_data

    summary = demo_data.load(credentials_file, log=click.echo)
    # a year of demo visitor reports (marked as demo figures) for the charts, and the
    # registry dataset that publishes their open aggregates (its coverage: those months)
    from ckanext.khtourism.reporting import demo as demo_reports
    from ckanext.khtourism.reporting import registry as statistics_dataset

    demo_reports.load(log=click.echo)
    statistics_dataset.refresh()
    counts = ", ".join(f"{state}: {n}" for state, n in sorted(summary["counts"].items()))
    click.echo(f"Demo data loaded ({counts or 'nothing new'}).")
    if credentials_file is not None:
        click.echo(f"Logins of {', '.join(summary['users'])}: {credentials_file}")


# harvest room: ckan khtourism harvest run-test (also `ckan harvester run-test`)
khtourism.add_command(harvest_cli.harvest_group, name="harvest")
harvest_cli.replace_upstream_run_test()

# dcat room: ckan khtourism registry refresh
khtourism.add_command(dcat_cli.registry_group, name="registry")
khtourism.add_command(dcat_cli.dcat_group, name="dcat")
khtourism.add_command(reporting_cli.statistics_group, name="statistics")


# records: personal data of tour guides (docs/privacy.md)
@khtourism.group()
def records() -> None:
    """Tourism records: maintenance."""


@records.command("assign-communes")
@click.option("--dry-run", is_flag=True, help="Only say which communes would be assigned.")
@click.option(
    "--recheck-estimates",
    is_flag=True,
    help="Also find again the communes estimated by nearest centre (e.g. after setting "
    "ckanext.khtourism.admin_units.geometry_file).",
)
def records_assign_communes(dry_run: bool, recheck_estimates: bool) -> None:
    """Give records with a point but no commune (admin_unit) their commune, found from the
    point (boundaries when configured, else the nearest commune centre, flagged)."""
    from ckanext.khtourism.records import communes

    result = communes.assign_existing(
        _site_context()["user"], dry_run=dry_run, estimates=recheck_estimates
    )
    for row in result["records"]:
        click.echo(f"{row['name']}: {row['admin_unit']} ({row['method']})")
    verb = "would get" if dry_run else "got"
    click.echo(
        f"{result['checked']} records without a commune: {result['polygon']} {verb} one by "
        f"boundary (polygon), {result['nearest_centre']} by nearest centre (nearest_centre), "
        f"{result['outside']} left without (point outside the province)."
    )


@records.command("quality-reindex")
@click.option("--days", type=int, default=1, show_default=True, help="Look back this many days.")
@click.option("--date", "on", default=None, help="As of this day (YYYY-MM-DD; default today).")
def records_quality_reindex(days: int, on: str | None) -> None:
    """Re-index the records whose metadata quality the calendar changed (12 months since
    last verified, a licence/card/recognition expired): run it nightly (docs/quality.md)."""
    import datetime as dt

    from ckan.lib.search import rebuild

    from ckanext.khtourism.records import quality

    today = dt.date.fromisoformat(on) if on else None
    ids = quality.calendar_changed(days, today)
    if ids:
        rebuild(package_ids=ids, quiet=True)
    click.echo(f"{len(ids)} records re-indexed.")


@khtourism.group()
def privacy() -> None:
    """Personal data of tour guides: raw harvest rows, export, erasure."""


@privacy.command("purge-raw-rows")
@click.option(
    "--days",
    type=int,
    default=None,
    help="Retention in days (default: ckanext.khtourism.harvest.raw_retention_days).",
)
def privacy_purge_raw_rows(days: int | None) -> None:
    """Redact and age out the raw source rows kept on harvest objects (run daily)."""
    from ckanext.khtourism.harvesters import raw_rows

    counts = raw_rows.apply_retention(days)
    click.echo(
        f"Raw harvest rows: {counts['redacted']} redacted, {counts['stubbed']} reduced to a "
        f"digest, {counts['deleted']} deleted."
    )


def _site_context() -> dict:
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


@privacy.command("export")
@click.argument("guide")
def privacy_export(guide: str) -> None:
    """Print, as JSON, everything the portal holds about the person of GUIDE (id or name)."""
    import json

    import ckan.plugins.toolkit as tk

    result = tk.get_action("khtourism_personal_data_export")(_site_context(), {"id": guide})
    click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


@privacy.command("erase")
@click.argument("guide")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(guide: str, yes: bool) -> None:
    """Erase the personal data of GUIDE (id or name); the public card data is kept."""
    import json

    import ckan.plugins.toolkit as tk

    if not yes:
        click.confirm(f"Erase the personal data of {guide}?", abort=True)
    result = tk.get_action("khtourism_personal_data_erase")(_site_context(), {"id": guide})
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@khtourism.group()
def webhooks() -> None:
    """Webhooks of registered client systems (docs/integration.md)."""


@webhooks.command("dispatch")
def webhooks_dispatch() -> None:
    """Queue the new changes for every subscription and send the due deliveries
    (retries included); run every minute beside the jobs worker."""
    from ckanext.khtourism.clients import webhooks as client_webhooks

    totals = client_webhooks.run_once()
    click.echo(", ".join(f"{key}: {value}" for key, value in totals.items()))


@khtourism.group()
def dumps() -> None:
    """Bulk dumps of every record type (docs/integration.md)."""


@dumps.command("build")
def dumps_build() -> None:
    """Write the CSV, GeoJSON and JSON-LD dumps (gzip) and their manifest, then refresh
    the registry datasets that publish them."""
    from ckanext.khtourism.api import dumps as api_dumps
    from ckanext.khtourism.dcat import registry as dcat_registry

    manifest = api_dumps.build()
    dcat_registry.refresh_all()
    for dataset_type, entry in manifest["types"].items():
        click.echo(f"{dataset_type}: {entry['count']} records")
    click.echo(f"cursor: {manifest['cursor']}; {api_dumps.directory()}")
