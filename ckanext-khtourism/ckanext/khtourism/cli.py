"""``ckan khtourism …`` commands."""
from __future__ import annotations

from pathlib import Path

import click

from ckanext.khtourism import doctor as doctor_checks

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
