"""What a run shows while it runs and after: the bar through building and publishing (the files sent against every
file of the plan, and the bytes), and the quality gate's warnings summarised per check unless -v lists them."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import orjson
import pytest
from conftest import demo_warehouse, invoke

from picks_export.cli import export
from picks_export.cli.log import emit_warnings
from picks_export.cli.progress import Progress, readable_bytes
from picks_export.exporters.quality import QualityWarning

TODAY = "2025-11-05"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return demo_warehouse(tmp_path_factory, TODAY)


def backfill(warehouse: Path, dest: Path | str, *more: str, env: dict[str, str] | None = None):
    args = ["--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, *more]
    return invoke("backfill", "--start", "2025-10-01", "--end", TODAY, *args, env=env)


def plan_of_ten() -> dict[str, str]:
    """Ten files: six to write, one headers-only update, three unchanged (settled before anything is sent)."""
    actions = {f"v1/picks/2025-10-0{n}.json": "new" for n in range(1, 7)}
    actions["v1/picks/2025-09-30.json"] = "patched"
    return actions | {f"v1/subsets/{n}.json": "unchanged" for n in range(3)}


def test_publishing_counts_every_planned_file_and_the_bytes_sent_on_a_terminal():
    stream = Terminal()
    progress = Progress("building", stream)
    progress.planned(plan_of_ten())
    progress.publishing_since -= 2
    progress.shown_at -= 1
    for n in (1, 2, 3):
        progress.sent(f"v1/picks/2025-10-0{n}.json", 1_500)
    progress.sent("v1/picks/2025-10-01.json", 1_500)  # a retried request reads the bytes again: counted once
    progress.sent("v1/subsets/0.json", 0)  # settled already
    progress.shown_at -= 1
    progress.sent("v1/picks/2025-10-04.json", 1_500)
    assert stream.getvalue() == (
        "\rpublishing [##########..............] 4/10 files, 1.5 kB, 0 files/s, ETA 12 s\033[K"  # 1 file in 2 s
        "\rpublishing [#################.......] 7/10 files, 6.0 kB, 2 files/s, ETA 2 s\033[K"  # 4 files in 2 s
    )
    progress.close()
    assert stream.getvalue().endswith("\r\033[K")
    assert progress.label == "publishing" and progress.unsent == {
        "v1/picks/2025-10-05.json",
        "v1/picks/2025-10-06.json",
        "v1/picks/2025-09-30.json",
    }


def test_off_a_terminal_building_and_publishing_log_a_line_every_ten_seconds():
    """A log (a scheduler's, a container's) sees a long run move: a line every ten seconds while building, then while
    publishing, and nothing between two lines."""
    stream = io.StringIO()
    progress = Progress("building", stream)
    progress.shown_at -= 11
    progress.started -= 10
    progress(5, 10)
    building = "building: 5/10 files, 0 files/s, ETA 10 s\n"
    assert stream.getvalue() == building
    progress(6, 10)  # within ten seconds of the line before
    assert stream.getvalue() == building
    progress.planned(plan_of_ten())
    progress.publishing_since -= 100
    progress.sent("v1/picks/2025-10-01.json", 2_000_000)  # within ten seconds of publishing's start: no line
    assert stream.getvalue() == building
    progress.shown_at -= 11
    progress.sent("v1/picks/2025-10-02.json", 1_500)
    assert stream.getvalue() == building + "publishing: 5/10 files, 2.0 MB, 0 files/s, ETA 250 s\n"
    assert progress.sent_bytes == 2_001_500 and len(progress.unsent) == 5
    progress.close()
    assert stream.getvalue().endswith("ETA 250 s\n")


def test_with_log_format_json_progress_lines_are_events_with_their_counts(warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(Progress, "EVERY_IN_A_LOG", 0.0)
    result = backfill(warehouse, tmp_path / "site", "--log-format", "json")
    assert result.exit_code == 0, result.output
    events = [orjson.loads(line) for line in result.stderr.splitlines()]  # every line of stderr an object
    building = [event for event in events if event.get("phase") == "building"]
    publishing = [event for event in events if event.get("phase") == "publishing"]
    assert building and publishing and all(event["severity"] == "INFO" for event in building + publishing)
    assert [event["files"] for event in building] == sorted(event["files"] for event in building)
    summary = events[-1]
    assert publishing[-1]["files"] == publishing[-1]["total"] == summary["files"]
    assert publishing[-1]["message"].startswith(f"publishing: {summary['files']:,}/{summary['files']:,} files, ")
    assert publishing[-1]["bytes_sent"] == sum(
        path.stat().st_size
        for path in (tmp_path / "site").rglob("*")
        if path.is_file() and "/." not in str(path) and "_runs" not in path.parts
    )


def test_a_quiet_run_shows_no_progress_and_a_dry_run_sends_nothing():
    stream = Terminal()
    quiet = Progress("building", stream, enabled=False)
    quiet.planned(plan_of_ten())
    quiet.shown_at -= 1
    quiet.sent("v1/picks/2025-10-01.json", 10)
    assert stream.getvalue() == "" and quiet.sent_bytes == 10


def test_readable_bytes():
    assert [readable_bytes(n) for n in (0, 999, 1_000, 12_345, 4_100_000, 2_000_000_000, 12_000_000_000_000)] == [
        "0 B",
        "999 B",
        "1.0 kB",
        "12.3 kB",
        "4.1 MB",
        "2.0 GB",
        "12,000.0 GB",
    ]


@pytest.fixture
def drawn(monkeypatch) -> list[Terminal]:
    """The streams of the progress the command line makes: a terminal, drawn at every report."""
    streams: list[Terminal] = []

    class Drawn(Progress):
        EVERY_ON_A_TERMINAL = 0.0

        def __init__(self, label: str, stream: object = None, enabled: bool = True, events: bool = False) -> None:
            streams.append(Terminal())
            super().__init__(label, streams[-1], enabled, events)

    monkeypatch.setattr(export, "Progress", Drawn)
    return streams


def publishing_bars(result, drawn: list[Terminal]) -> list[str]:
    """The bar's drawings while publishing, checked to count each planned file once up to all of them, and to end
    on the bytes the summary says were sent."""
    assert result.exit_code == 0, result.output
    planned = int(re.match(r"plan: (\d+) files: \1 new", result.stdout).group(1))
    written = re.search(r"(\d+) files: \1 written, .*; ([\d,]+) bytes sent", result.stdout)
    assert written and int(written.group(1)) == planned
    (stream,) = drawn
    bars = stream.getvalue().split("\r")
    publishing = [bar for bar in bars if bar.startswith("publishing [")]
    counts = [tuple(map(int, re.search(r" (\d+)/(\d+) files", bar).groups())) for bar in publishing]
    assert [done for done, _ in counts] == list(range(1, planned + 1))  # each file once, as it is sent
    assert {total for _, total in counts} == {planned}
    assert publishing[-1].startswith("publishing [########################]")
    assert f" {readable_bytes(int(written.group(2).replace(',', '')))}, " in publishing[-1]
    assert bars[-1] == "\033[K"  # the bar went before the summary
    return bars


def test_the_bar_follows_a_backfill_through_publishing_up_to_every_planned_file(warehouse, tmp_path, drawn):
    result = backfill(warehouse, tmp_path / "site", "--all-models", "--with-page")
    bars = publishing_bars(result, drawn)
    planned = int(re.match(r"plan: (\d+) files", result.stdout).group(1))
    building = [number for number, bar in enumerate(bars) if bar.startswith("building [")]
    assert building and building[-1] < min(n for n, bar in enumerate(bars) if bar.startswith("publishing ["))
    built = int(re.search(r" \d+/(\d+) files", bars[building[-1]]).group(1))
    assert built < planned  # the schemas, the page, the indexes, the manifest and the status file are not built


def test_the_bar_follows_the_upload_threads_to_a_bucket(warehouse, gcs, bucket, drawn):
    """To a bucket, files go out from several upload threads, gzipped: each counts once, with its sent bytes."""
    result = backfill(warehouse, f"gs://{bucket}", "--workers", "4", env={"STORAGE_EMULATOR_HOST": gcs.url})
    publishing_bars(result, drawn)


def test_a_rerun_counts_the_unchanged_files_from_the_start_a_quiet_or_dry_run_draws_none(warehouse, tmp_path, drawn):
    site = tmp_path / "site"
    assert backfill(warehouse, site).exit_code == 0
    again = backfill(warehouse, site)
    assert again.exit_code == 0, again.output
    planned = int(re.match(r"plan: (\d+) files", again.stdout).group(1))
    sent = [bar for bar in drawn[-1].getvalue().split("\r") if bar.startswith("publishing [")]
    # The indexes, the manifest and the status file are built again; all else is unchanged from the start.
    assert sent and all(f"/{planned} files" in bar for bar in sent)
    assert int(re.search(r" (\d+)/", sent[0]).group(1)) > planned // 2
    quiet = backfill(warehouse, tmp_path / "quiet", "--quiet")
    assert quiet.exit_code == 0 and drawn[-1].getvalue() == ""
    dry = backfill(warehouse, tmp_path / "dry", "--dry-run")
    assert dry.exit_code == 0 and "publishing" not in drawn[-1].getvalue()


def grading(day: dt.date, model: str = "926A") -> QualityWarning:
    return QualityWarning("grading", model, day, f"{day}: 2 of 12 picks not graded: no box score yet")


def test_warnings_are_summarised_per_check_and_listed_with_verbose(capsys):
    days = [dt.date(2025, 10, 21) + dt.timedelta(days=n) for n in range(38)]
    stale = [QualityWarning("stale", "926A", days[-1], f"{days[-1]}: shown picks computed 22.0 h before")]
    volume = [QualityWarning("volume", "B", day, f"{day}: subset top has no shown picks") for day in days[:2] * 2]
    found = [grading(day) for day in days] + [grading(days[0], "B")] + stale + volume
    emit_warnings(found)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "Warning: 39 dates with picks not graded (no box score yet) across 2 models, e.g. model 926A: 2025-10-21,"
        " 2025-10-22, 2025-10-23; -v lists them",
        f"Warning: model 926A: {days[-1]}: shown picks computed 22.0 h before",
        "Warning: 4 dates or subsets with fewer shown picks than usual, e.g. model B: 2025-10-21, 2025-10-22;"
        " -v lists them",
    ]
    emit_warnings(found, verbose=True)
    assert capsys.readouterr().err.splitlines() == [f"Warning: {each}" for each in found if each.check == "grading"] + [
        f"Warning: {each}" for each in stale + volume
    ]
    emit_warnings(found[:3])  # as many as a summary's examples: each its own line
    assert capsys.readouterr().err.splitlines() == [f"Warning: {each}" for each in found[:3]]


def test_a_season_with_ungraded_dates_prints_a_few_warning_lines_and_verbose_lists_them(warehouse, tmp_path):
    ungraded = tmp_path / "ungraded.duckdb"
    ungraded.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(ungraded)) as connection:
        connection.execute(
            "DELETE FROM nba_predictions.player_game_summary WHERE game_date BETWEEN DATE '2025-10-22' AND DATE"
            " '2025-11-02'"
        )
    result = backfill(ungraded, tmp_path / "site", "--all-models")
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert 1 <= len(warnings) <= 10, warnings
    summary = next(line for line in warnings if "dates with picks not graded" in line)
    count = int(re.match(r"Warning: (\d+) dates", summary).group(1))
    assert count > 10 and summary.endswith("; -v lists them")
    listed = backfill(ungraded, tmp_path / "listed", "--all-models", "-v")
    assert listed.exit_code == 0, listed.output
    every = [line for line in listed.stderr.splitlines() if line.endswith("not graded: no box score yet")]
    assert len(every) == count and len(set(every)) == count
