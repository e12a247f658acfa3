"""``ckan khtourism statistics …``: the visitor statistics' dataset, reminders, demo data."""

from __future__ import annotations

import click

from . import registry


@click.group(short_help="Monthly visitor reports and their open statistics")
def statistics_group() -> None:
    """Monthly visitor reports (docs/statistics.md)."""


@statistics_group.command("refresh-dataset")
def refresh_dataset() -> None:
    """Create or update the registry dataset of the visitor statistics."""
    dataset = registry.refresh()
    click.echo(f"{dataset['name']} refreshed ({len(dataset.get('resources', []))} distributions)")


@statistics_group.command("remind")
@click.option("--period", default=None, help="The month (YYYY-MM); default: last month.")
def remind(period: str | None) -> None:
    """E-mail the businesses whose report is missing (from the 15th of the next month)."""
    from . import reminders

    result = reminders.send(period)
    state = "" if reminders.enabled() else " (sending is off: statistics.send_reminders)"
    click.echo(
        f"{result['period']}: {result['due']} missing, {result['sent']} reminded, "
        f"{result['skipped']} already reminded{state}"
    )


@statistics_group.command("demo")
@click.option("--months", default=12, show_default=True, help="Months up to last month.")
def demo(months: int) -> None:
    """A year of demo reports (marked as demo figures) for the demo establishments."""
    from . import demo as demo_reports

    demo_reports.load(months, log=click.echo)
    registry.refresh()
