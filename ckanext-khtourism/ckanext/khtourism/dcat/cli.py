"""``ckan khtourism registry …``: the registry datasets from the command line."""

from __future__ import annotations

import click

from . import registry
from . import vocabulary as V


@click.group(short_help="Registry datasets (one per record type)")
def registry_group() -> None:
    """The registry datasets published in the DCAT catalogue."""


@registry_group.command("refresh")
@click.option(
    "--type",
    "record_types",
    multiple=True,
    type=click.Choice(list(V.RECORD_TYPES)),
    help="Record type to refresh (repeatable); all four by default.",
)
def refresh(record_types: tuple[str, ...]) -> None:
    """Create or update the registry datasets from the published records."""
    for record_type in record_types or tuple(V.RECORD_TYPES):
        dataset = registry.refresh_registry(record_type)
        click.echo(
            f"{record_type}: {dataset['name']} refreshed "
            f"({len(dataset.get('resources', []))} distributions)"
        )


@click.group(short_help="DCAT catalogue cache")
def dcat_group() -> None:
    """The cached per-record descriptions of the DCAT catalogue."""


@dcat_group.command("warm")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["ttl", "xml", "jsonld"]),
    help="Catalogue format to cache (repeatable); all three by default.",
)
def warm(formats: tuple[str, ...]) -> None:
    """Render and cache the description of every public record."""
    import ckan.plugins.toolkit as tk

    from . import fragments

    start, total = 0, 0
    while True:
        result = tk.get_action("package_search")(
            {"ignore_auth": True, "user": ""},
            {
                "q": "*:*",
                "fq": "-dataset_type:harvest",
                "rows": 100,
                "start": start,
                "sort": "metadata_modified desc",
                "include_private": False,
            },
        )
        if not result["results"]:
            break
        formats = formats or fragments.FORMATS
        fragments.record_fragments(result["results"], _format=formats[0], also=formats)
        total += len(result["results"])
        start += len(result["results"])
    click.echo(f"{total} record descriptions cached.")


@dcat_group.command("flush-cache")
def flush_cache() -> None:
    """Drop every cached record description."""
    from . import fragments

    click.echo(f"{fragments.flush()} cached descriptions dropped.")
