"""``python -m ckanext.khtourism.local run|test`` (what ``make run`` / ``make test`` call)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import install_mode, services, stack


@click.group()
def main() -> None:
    """Run the portal or its tests on embedded (or configured) PostgreSQL and Redis."""


@main.command()
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "5000")),
    show_default="5000 or $PORT",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path.cwd,
    help="Project folder; data goes to ROOT/var.",
)
def run(port: int, root: Path) -> None:
    """Serve the portal with its workers until Ctrl-C."""
    try:
        sys.exit(stack.run(root.resolve(), port))
    except services.ServiceError as error:
        raise click.ClickException(str(error)) from error


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path.cwd)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def test(root: Path, pytest_args: tuple[str, ...]) -> None:
    """Run the test suite (extra arguments go to pytest)."""
    try:
        sys.exit(stack.test(root.resolve(), list(pytest_args)))
    except services.ServiceError as error:
        raise click.ClickException(str(error)) from error


@main.command("install-mode")
@click.option("--expect", type=click.Choice([install_mode.EDITABLE, install_mode.WHEEL]))
def install_mode_command(expect: str | None) -> None:
    """Print how the extension is installed (editable or wheel); with --expect, exit 1
    when it is installed otherwise (``make install`` reinstalls then)."""
    mode = install_mode.installed_mode()
    click.echo(mode)
    if expect and mode != expect:
        sys.exit(1)


if __name__ == "__main__":
    main()
