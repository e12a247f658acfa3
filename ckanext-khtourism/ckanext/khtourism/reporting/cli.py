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
