"""Hostile operations: absurd settings and options, damaged destinations, debris of killed runs. Each answer is one
`Error:` line and its exit code, or a correct result; never a traceback, never a file left half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import demo_warehouse, invoke, wait_for_workers

TODAY = "2025-11-05"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return demo_warehouse(tmp_path_factory, TODAY, "--seed", "7")


def daily(warehouse: Path, dest: Path, *args: str, env: dict[str, str] | None = None):
    return invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, *args, env=env)


@pytest.mark.parametrize("epoch", ["-1", "-86400", "32503680000", "99999999999999999999"])
def test_a_source_date_epoch_out_of_range_is_one_line_before_the_run(warehouse, tmp_path, epoch):
    """Before 1970 (a generated_at no reader expects) or after the last date a run may name: refused, exit 1."""
    out = tmp_path / "out"
    result = daily(warehouse, out, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: SOURCE_DATE_EPOCH={epoch!r} is not a time from 1970-01-01 to 2999-12-31: seconds from 0 to"
        " 32503679999\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(("epoch", "stamp"), [("0", "1970-01-01T00:00:00Z"), ("32503679999", "2999-12-31T23:59:59Z")])
def test_the_ends_of_the_source_date_epoch_range_are_accepted(epoch, stamp):
    from picks_export.cli.settings import generated_at_now

    assert generated_at_now({"SOURCE_DATE_EPOCH": epoch}) == stamp


LONG = "y" * 300  # longer than a file name may be (255 bytes): the system refuses to even look it up


@pytest.mark.parametrize(("args", "code", "ending"), [
    (["daily", "--warehouse", f"{LONG}.duckdb"], 5, f"warehouse {LONG}.duckdb cannot be opened: File name too long"),
    (["daily", "--dest", LONG], 1, f"--dest '{LONG}' cannot be used: File name too long"),
    (["runs", "--dest", f"{LONG}/x"], 1, f"--dest '{LONG}/x' cannot be used: File name too long"),
    (["status", "--dest", LONG], 1, f"--dest '{LONG}' cannot be used: File name too long"),
    (["validate", f"{LONG}/v1"], 1, f"{LONG}/v1: File name too long"),
    (["serve", LONG], 1, f"{LONG} is not a folder: give the folder a run published to (its --dest)"),
    (["demo", "--warehouse", f"{LONG}.duckdb"], 1, f"warehouse {LONG}.duckdb cannot be written: File name too long"),
])  # fmt: skip
def test_a_path_too_long_to_look_up_is_one_line_not_an_internal_error(
    warehouse, tmp_path, monkeypatch, args, code, ending
):
    monkeypatch.chdir(tmp_path)
    if "--warehouse" not in args and args[0] in ("daily",):
        args = [*args, "--warehouse", str(warehouse)]
    result = invoke(*args, "--today", TODAY) if args[0] in ("daily", "demo") else invoke(*args)
    assert result.exit_code == code, result.output
    assert result.stderr == f"Error: {ending}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--lock-timeout", "--retry-deadline", "--min-volume", "--stale-hours"])
def test_nan_is_not_a_number_of_seconds_or_a_fraction(warehouse, tmp_path, option):
    """A range lets nan through (it compares false with both ends): a lock waited for forever, a check never made."""
    result = daily(warehouse, tmp_path / "out", option, "nan")
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': nan is not a number" in result.stderr
    assert not (tmp_path / "out").exists()
    env_name = "PICKS_EXPORT_" + option[2:].upper().replace("-", "_")
    from_env = daily(warehouse, tmp_path / "out", env={env_name: "NaN"})
    assert from_env.exit_code == 2 and "nan is not a number" in from_env.stderr


@pytest.mark.parametrize("age", ["99999999999999999999d", "9" * 40, "1000000000d"])
def test_a_max_age_too_long_for_any_clock_is_one_line(tmp_path, age):
    result = invoke("status", "--dest", str(tmp_path), "--max-age", age)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: --max-age {age!r} is too long a duration: at most 999999999d\n"


@pytest.mark.parametrize("memory", ["999999999999999GB", "18446744073709551616", "1000001GB"])
def test_more_worker_memory_than_duckdb_takes_is_a_bad_setting_not_a_warehouse_error(memory):
    """2**64 bytes wrapped to 0 in DuckDB (every worker out of memory), more failed as 'cannot open warehouse'."""
    from picks_export.cli.settings import worker_memory
    from picks_export.exporters.errors import ExportError

    with pytest.raises(ExportError) as raised:
        worker_memory({"PICKS_EXPORT_WORKER_MEMORY": memory})
    assert raised.value.exit_code == 1
    assert str(raised.value) == (
        f"PICKS_EXPORT_WORKER_MEMORY={memory!r} is more memory than a build worker can be given: at most 1000000GB"
    )
    assert worker_memory({"PICKS_EXPORT_WORKER_MEMORY": "1000000GB"}) == 10**15


# --- a run killed with -9 while its build workers build ------------------------------------------------------------


def _parent_and_state(pid: int) -> tuple[int, str] | None:
    """A process's parent and state letter, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0].decode()


def _alive(pid: int) -> bool:
    found = _parent_and_state(pid)
    return found is not None and found[1] not in ("Z", "X")


def test_build_workers_end_when_their_run_is_killed(tmp_path):
    """kill -9 of the run while its workers build: no worker builds on for nobody, or waits forever to hand its
    files to a parent that is gone (each held its own pipe's reading end, so its send blocked instead of failing);
    each removes its scratch folder on the way out."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from picks_export.exporters import demo
    from picks_export.exporters.engines.duckdb_engine import write_warehouse

    warehouse = write_warehouse(tmp_path / "w.duckdb", demo.generate_scaled(1, 3, 9))
    scratch, dest, hold = tmp_path / "tmp", tmp_path / "public", tmp_path / "hold"
    scratch.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PICKS_EXPORT_")}
    env.update({"SOURCE_DATE_EPOCH": "1782864000", "PICKS_EXPORT_BUILD_WORKERS": "2", "TMPDIR": str(scratch),
                "PICKS_EXPORT_TEST_PAUSE": f"building:{hold}"})  # fmt: skip
    tool = Path(sys.executable).with_name("picks-export")
    args = [str(tool), "backfill", "--start", "2025-08-01", "--end", "2026-07-31", "--all-models",
            "--warehouse", str(warehouse), "--dest", str(dest), "--today", demo.SCALED_TODAY.isoformat()]  # fmt: skip
    # Not pipes: a worker left running would hold them open.
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_for_workers(process, hold, scratch)
    workers = [
        int(pid)
        for pid in os.listdir("/proc")
        if pid.isdigit() and (_parent_and_state(int(pid)) or (0,))[0] == process.pid
    ]
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    hold.touch()  # a worker still there goes on: it builds its share, then hands it to no one
    deadline = time.monotonic() + 30
    try:
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "build workers outlived their run"
        assert list(scratch.glob("picks-export-worker-*")) == []
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_second_sigterm_does_not_cut_a_build_workers_clean_up_short(tmp_path):
    """A worker unwinding from one SIGTERM (its run's) may get another (its parent's death) while it removes its
    scratch folder: the clean-up finishes."""
    import subprocess
    import sys

    done = tmp_path / "cleaned"
    script = f"""
import os, signal, time
from picks_export.exporters.workers import _end_worker
signal.signal(signal.SIGTERM, _end_worker)
try:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
finally:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.05)
    open({str(done)!r}, "w").close()
"""
    # From another folder: the installed package, not the source tree.
    ended = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert ended.returncode == 143, ended.stderr
    assert done.exists()


def test_a_build_worker_whose_run_is_gone_ends_quietly(tmp_path, monkeypatch):
    """Its answer has no reader any more (the run was killed): the worker ends with 0 and prints no traceback."""
    import multiprocessing

    from picks_export.exporters.workers import WorkerPool

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    receiver.close()  # the run is gone
    pool = WorkerPool.__new__(WorkerPool)
    pool.engine = type(
        "Engine", (), {"for_worker": lambda self, scratch, factor=1: None, "close": lambda self: None, "queries_run": 0}
    )()
    monkeypatch.setattr(WorkerPool, "_stage_part", lambda *args, **kwargs: ("ok", ["x" * 100_000], 0))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the worker's scratch folder goes here
    counters = context.Array("q", 2, lock=False)
    worker = context.Process(target=pool._build_part, args=((sender, []), None, [], None, {}, (counters, 0)))
    worker.start()
    sender.close()
    worker.join(timeout=60)
    assert worker.exitcode == 0
    assert list(tmp_path.iterdir()) == []


# --- debris of a killed run whose process number is used again ---------------------------------------------------


def test_debris_of_a_killed_run_goes_though_its_process_number_is_alive_again(warehouse, tmp_path):
    """A file staged by a run killed with -9 is named with its pid. In a container every run may have the same pid
    (1), and on a host a number comes round again: a live process started after the file was written did not stage
    it, and the next run removes it (it stayed for good). A live process older than the file keeps its own."""
    import os
    import subprocess
    import time

    dest = tmp_path / "public"
    assert daily(warehouse, dest).exit_code == 0
    folder = dest / "v1" / "picks"
    day_ago = time.time() - 86400  # before the test process started
    stranger = subprocess.Popen(["sleep", "60"])  # a live process started after the files below were written
    try:
        ours = folder / f".2025-10-21.json.{os.getpid()}.0badcafe.tmp"  # this very process's number: a container's
        theirs = folder / f".2025-10-22.json.{stranger.pid}.0badcafe.tmp"
        fresh = folder / f".2025-10-23.json.{stranger.pid}.1badcafe.tmp"  # written by the live process just now
        for file in (ours, theirs, fresh):
            file.write_bytes(b"{")
        for file in (ours, theirs):
            os.utime(file, (day_ago, day_ago))
        result = daily(warehouse, dest)
        assert result.exit_code == 0, result.output
        assert sorted(path.name for path in dest.rglob("*.tmp")) == [fresh.name]
    finally:
        stranger.kill()
        stranger.wait()


# --- hand-damaged destinations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["lock is a folder", "_runs is a file"])
def test_a_folder_write_failure_names_the_path_it_failed_on(warehouse, tmp_path, damage):
    """The lock made a folder, or `_runs` a file (where replaced bytes are kept): exit 6 naming that path, not a
    bare "Is a directory" beside a file that is fine."""
    dest = tmp_path / "public"
    assert daily(warehouse, dest).exit_code == 0
    day = dest / "v1" / "picks" / "2025-10-22.json"
    day.write_bytes(day.read_bytes()[:10])  # truncated: the run replaces it, keeping its bytes under _runs/
    if damage == "lock is a folder":
        (dest / ".picks-export.lock").unlink()
        (dest / ".picks-export.lock").mkdir()
        cause = f"Is a directory: {dest / '.picks-export.lock'}"
    else:
        import shutil

        shutil.rmtree(dest / "_runs")
        (dest / "_runs").write_text("x")
        cause = f"Not a directory: {dest / '_runs'}/"
    result = daily(warehouse, dest)
    assert result.exit_code == 6, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"failed: cannot write to {dest}: {cause}" in line
    assert "Traceback" not in result.output and not list(dest.rglob("*.tmp"))


# --- a mistyped year ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["1925-11-05", "2024-11-05"])
def test_a_daily_of_an_earlier_season_without_picks_or_files_publishes_nothing(warehouse, tmp_path, date):
    """A mistyped year (1925 for 2025) published an empty day file, an empty season file and its table for a season
    of nothing, and listed them in the index and the manifest for good. Like a date far ahead: exit 1."""
    dest = tmp_path / "public"
    assert daily(warehouse, dest).exit_code == 0
    before = sorted(path for path in dest.rglob("*") if "_runs" not in path.parts)
    result = daily(warehouse, dest, "--date", date)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: --date {date} is in season {date[:4]}-{int(date[2:4]) + 1:02d}, before today's ({TODAY}), and model"
        " 926A has no shown picks nor published days in it: nothing published\n"
    )
    assert sorted(path for path in dest.rglob("*") if "_runs" not in path.parts) == before


def test_a_daily_of_an_earlier_season_with_published_days_still_runs(warehouse, tmp_path):
    """A day of last season that has files (or picks) is a real re-run: it goes on as before."""
    dest = tmp_path / "public"
    assert daily(warehouse, dest, "--date", "2025-10-25").exit_code == 0
    assert daily(warehouse, dest, "--date", "2025-10-25", "--today", "2026-09-01").exit_code == 0
