"""``ckan khtourism registry …``: the registry datasets from the command line."""
from __future__ import annotations

import click

from . import registry
from . import vocabulary as V


@click.group(short_help="Registry datasets (one per record type)")
def registry_group() -> None:
    """The registry datasets published in the DCAT catalogue."""


@registry_group.command("refresh")
@click.option("--type", "record_types", multiple=True, type=click.Choice(list(V.RECORD_TYPES)),
              help="Record type to refresh (repeatable); all four by default.")
def refresh(record_types: tuple[str, ...]) -> None:
    """Create or update the registry datasets from the published records."""
    for record_type in record_types or tuple(V.RECORD_TYPES):
        dataset = registry.refresh_registry(record_type)
        click.echo(f"{record_type}: {dataset['name']} refreshed "
                   f"({len(dataset.get('resources', []))} distributions)")
