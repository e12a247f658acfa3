"""``ckan harvester run-test SOURCE`` (and ``ckan khtourism harvest run-test``): one job of
one source, run in this process only, never while harvest consumers are running.

ckanext-harvest's own ``run-test`` creates the job with ``harvest_job_create`` — which also
puts it on the gather queue — and then runs it in-process: with ``make run``'s consumers up,
the job was gathered twice (6 objects for a 3-row register) and its records duplicated.
Ours creates the job *without* queueing it (``run: False``) and runs gather, fetch and import
here. Even so, ``ckan harvester run`` (every minute) hands waiting objects that are missing
from Redis to the fetch consumers, which would then import them a second time; so the
command refuses to start while consumers are waiting on the harvest queues (stop them, or
let them run the job: ``ckan harvester job-create SOURCE`` / the source's page).
"""

from __future__ import annotations

from typing import Any

import click

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages


class ConsumersRunning(click.ClickException):
    """Harvest consumers are up: running a job here too would import it twice."""


def consumers_waiting() -> int:
    """How many Redis clients of the harvest database are blocked in ``BLPOP`` (what
    ckanext-harvest's gather and fetch consumers do while they wait for messages)."""
    from ckanext.harvest import queue

    if tk.config.get("ckan.harvest.mq.type", "redis") != "redis":
        return 0
    connection = queue.get_connection()
    database = connection.connection_pool.connection_kwargs.get("db", 0)
    return sum(
        1
        for client in connection.client_list()
        if client.get("cmd") in ("blpop", "brpop")
        and "b" in client.get("flags", "")
        and int(client.get("db", -1)) == int(database)
    )


def run_in_process(source_id_or_name: str, force_import: str | None = None) -> dict[str, Any]:
    """Create a job of the source without queueing it and run its stages here; the job's
    report (``harvest_job_show``). Raises ConsumersRunning when consumers are up."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.tests import lib

    waiting = consumers_waiting()
    if waiting:
        raise ConsumersRunning(
            "\n".join(
                messages.text("harvest_run_test_consumers", lang, count=waiting)
                for lang in ("vi", "en")
            )
        )
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": user}
    source = tk.get_action("harvest_source_show")(dict(context), {"id": source_id_or_name})
    # run: False — not put on the gather queue: nothing but this process gathers it
    job_dict = tk.get_action("harvest_job_create")(
        dict(context), {"source_id": source["id"], "run": False}
    )
    job = HarvestJob.get(job_dict["id"])
    if force_import:
        job.force_import = force_import
    harvester = queue.get_harvester(source["source_type"])
    if harvester is None:
        raise click.ClickException(f"no harvester for source type {source['source_type']}")
    lib.run_harvest_job(job, harvester)
    return tk.get_action("harvest_job_show")(dict(context), {"id": job.id})


@click.command("run-test")
@click.argument("id", metavar="SOURCE_ID_OR_NAME")
@click.argument("force-import", required=False, metavar="GUID")
@click.pass_context
def run_test(ctx: click.Context, id: str, force_import: str | None = None) -> None:  # noqa: A002
    """Run one job of a source in this process (refused while harvest consumers run)."""
    if force_import:
        force_import = force_import.split("=")[-1]
    flask_app = ctx.meta.get("flask_app")  # set by `ckan`'s command line
    if flask_app is None:  # invoked from an application context already (tests)
        report = run_in_process(id, force_import)
    else:
        with flask_app.test_request_context():
            report = run_in_process(id, force_import)
    stats = ", ".join(f"{key}: {value}" for key, value in sorted(report["stats"].items()))
    click.echo(f"Job {report['id']} {report['status']} ({stats})")


@click.group("harvest", short_help="Harvest jobs of the portal's sources")
def harvest_group() -> None:
    """Harvest commands of the portal."""


harvest_group.add_command(run_test)


def replace_upstream_run_test() -> None:
    """``ckan harvester run-test`` is ours (same arguments): ckanext-harvest's both queues
    and runs the job."""
    try:
        from ckanext.harvest import cli as harvest_cli
    except ImportError:  # ckanext-harvest not installed: nothing to replace
        return
    harvest_cli.harvester.add_command(run_test, name="run-test")
