"""``ckan khtourism …`` commands."""

from __future__ import annotations

import click

from ckanext.khtourism import doctor as doctor_checks

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
