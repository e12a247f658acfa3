"""``ckan khtourism …`` commands."""

from __future__ import annotations

from pathlib import Path

import click

from ckanext.khtourism import doctor as doctor_checks
from ckanext.khtourism.dcat import cli as dcat_cli

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
    counts = ", ".join(f"{state}: {n}" for state, n in sorted(summary["counts"].items()))
    click.echo(f"Demo data loaded ({counts or 'nothing new'}).")
    if credentials_file is not None:
        click.echo(f"Logins of {', '.join(summary['users'])}: {credentials_file}")


# dcat room: ckan khtourism registry refresh
khtourism.add_command(dcat_cli.registry_group, name="registry")
khtourism.add_command(dcat_cli.dcat_group, name="dcat")
