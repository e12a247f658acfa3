"""``ckan khtourism …`` commands."""
from __future__ import annotations

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
    findings = doctor_checks.run_checks()
    marks = {doctor_checks.OK: "OK  ", doctor_checks.WARNING: "WARN", doctor_checks.ERROR: "FAIL"}
    for finding in findings:
        click.echo(f"[{marks[finding.status]}] {finding.check}: {finding.message}")
    errors = [f for f in findings if f.status == doctor_checks.ERROR]
    if errors:
        click.echo(f"{len(errors)} problem(s) found.", err=True)
        raise SystemExit(1)
    click.echo("All checks passed.")


# dcat room: ckan khtourism registry refresh
khtourism.add_command(dcat_cli.registry_group, name="registry")
