"""The daily jobs of ``make run`` (local/schedule.py): when each runs, without waiting real
hours, and that the supervisor really launches the command."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from ckanext.khtourism.core import dumps as core_dumps
from ckanext.khtourism.local import schedule

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("clock", "now", "expected"),
    [
        # 01:59 in Khánh Hòa (UTC+7): tonight's 02:00
        (dt.time(2, 0), "2026-12-04T18:59:00", "2026-12-04T19:00:00"),
        # 02:00 exactly, and just after: tomorrow's
        (dt.time(2, 0), "2026-12-04T19:00:00", "2026-12-05T19:00:00"),
        (dt.time(2, 0), "2026-12-04T19:00:01", "2026-12-05T19:00:00"),
        # 07:40 local: 08:00 the same day; 09:00 local: the next day's
        (dt.time(8, 0), "2026-12-05T00:40:00", "2026-12-05T01:00:00"),
        (dt.time(8, 0), "2026-12-05T02:00:00", "2026-12-06T01:00:00"),
        # across a month's and a year's end
        (dt.time(2, 0), "2026-12-31T20:00:00", "2027-01-01T19:00:00"),
    ],
)
def test_next_run_is_the_next_time_khanh_hoa_clocks_show(clock, now, expected):
    assert schedule.next_run(clock, at(now)) == at(expected)


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "ckan.ini"
    config.write_text(f"[app:main]\nckan.storage_path = {tmp_path / 'storage'}\n")
    return config


def test_the_dumps_folder_is_the_one_the_configuration_names(tmp_path):
    config = _config(tmp_path)
    assert schedule.dumps_directory(config) == tmp_path / "storage" / "khtourism-dumps"
    config.write_text(config.read_text() + f"{schedule.DUMPS_PATH_SETTING} = {tmp_path}/d\n")
    assert schedule.dumps_directory(config) == tmp_path / "d"
    assert schedule.DUMPS_MANIFEST == core_dumps.MANIFEST
    assert schedule.DUMPS_PATH_SETTING == core_dumps.PATH


def test_the_scheduler_runs_each_job_when_due_and_a_missing_dump_soon_after_start(tmp_path):
    config = _config(tmp_path)
    launched: list[str] = []

    def launch(_config: Path, job: schedule.DailyJob) -> int:
        launched.append(job.name)
        return 0

    start = at("2026-12-05T00:40:00")  # 07:40 in Khánh Hòa
    scheduler = schedule.Scheduler(config, launch=launch, now=start)
    dumps, reminders = "nightly dumps", "statistics reminders"
    # no dump yet: one shortly after start; the reminders at 08:00
    assert scheduler.due == {
        dumps: start + schedule.STARTUP_DELAY,
        reminders: at("2026-12-05T01:00:00"),
    }
    assert scheduler.tick(start) == []
    assert scheduler.tick(start + schedule.STARTUP_DELAY) == [(dumps, 0)]
    assert scheduler.due[dumps] == at("2026-12-05T19:00:00")  # then nightly at 02:00
    assert scheduler.tick(start + schedule.STARTUP_DELAY) == []  # once
    assert scheduler.tick(at("2026-12-05T01:00:00")) == [(reminders, 0)]
    assert scheduler.due[reminders] == at("2026-12-06T01:00:00")
    assert scheduler.tick(at("2026-12-05T19:00:30")) == [(dumps, 0)]
    assert launched == [dumps, reminders, dumps]

    # with a dump already built, nothing runs at start: the dumps wait for the night
    folder = schedule.dumps_directory(config)
    folder.mkdir(parents=True)
    (folder / schedule.DUMPS_MANIFEST).write_text("{}")
    again = schedule.Scheduler(config, launch=launch, now=start)
    assert again.due[dumps] == at("2026-12-05T19:00:00")
    assert again.tick(start + schedule.STARTUP_DELAY) == []


def test_the_scheduler_launches_the_command_and_logs_it(capsys):
    """The real launcher against the test portal's configuration: `ckan khtourism
    statistics remind` runs, and its start, output and end are logged."""
    config = Path(os.environ["KHTOURISM_TEST_INI"])
    (reminders,) = [job for job in schedule.DAILY_JOBS if job.name == "statistics reminders"]
    assert reminders.command == ("khtourism", "statistics", "remind")
    scheduler = schedule.Scheduler(config, jobs=(reminders,), now=at("2026-12-05T00:40:00"))
    assert scheduler.tick(at("2026-12-05T01:00:00")) == [("statistics reminders", 0)]
    err = capsys.readouterr().err
    assert "statistics reminders: started `ckan khtourism statistics remind`" in err
    assert "statistics reminders | " in err and "missing" in err  # the command's own line
    assert "statistics reminders: finished with exit 0" in err
    assert "statistics reminders: next run 2026-12-06 08:00 (Asia/Ho_Chi_Minh)" in err
