"""The console script's start-up and exit cost as little as they can (issue 9's small `daily`), without changing what
a command does: garbage collection off while Typer parses, on again for the command, and no tracing at exit."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

SPY = """
import gc, sys
from picks_export import cli
from picks_export.cli.root import Commands
states = []
original = Commands.get_command
def spy(self, ctx, name):
    states.append(gc.isenabled())
    command = original(self, ctx, name)
    states.append(gc.isenabled())
    return command
Commands.get_command = spy
sys.argv = ["picks-export", *sys.argv[1:]]
try:
    cli.main()
except SystemExit as exit:
    code = exit.code
print(states, gc.isenabled(), gc.get_freeze_count() > 0, code, file=sys.stderr)
"""


def spied(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", SPY, *args], capture_output=True, text=True, timeout=120)
    return done.stderr.strip().splitlines()[-1]


def test_the_command_runs_with_garbage_collection_and_the_exit_traces_nothing():
    # parsed with collections off; on again once the command is known (before it runs); frozen at the end
    assert spied("demo", "--help") == "[False, True] True True 0"


def test_a_usage_error_still_ends_as_before():
    # the command is known, its options are not: collections are on again, and the exit code is Click's usage error
    assert spied("daily", "--workers", "x") == "[False, True] True True 2"


def test_in_process_use_of_the_app_leaves_the_host_s_collector_alone(tmp_path):
    """Tests and other callers run `app` without `main`: nothing is frozen or switched off in their process."""
    from typer.testing import CliRunner

    from picks_export.cli import app

    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    result = CliRunner().invoke(app, ["daily", "--help"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_sqlglot_s_version_is_read_once_per_process(monkeypatch, tmp_path):
    """The SQL cache's key holds sqlglot's version: read from the package's metadata once, not once per query."""
    import importlib.metadata

    from picks_export.exporters.engines import duckdb_engine

    calls: list[str] = []
    real = importlib.metadata.version

    def counting(name: str) -> str:
        calls.append(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", counting)
    duckdb_engine._sqlglot_version.cache_clear()
    try:
        files = {
            duckdb_engine._sql_cache_file(name, "nba_predictions", tmp_path)
            for name in ("models", "subsets", "shown_picks")
        }
        assert len(files) == 3 and None not in files
        assert calls == ["sqlglot"]
        # another sqlglot (an upgrade) is another key: its statements are transpiled afresh
        monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1")
        duckdb_engine._sqlglot_version.cache_clear()
        assert duckdb_engine._sql_cache_file("models", "nba_predictions", tmp_path) not in files
    finally:
        duckdb_engine._sqlglot_version.cache_clear()


NARROWED_LINES = [
    ["daily", "--help"],
    ["daily", "--workers", "x"],  # a usage error: one Error: line, the hint, exit 2
    ["daily", "--date", "2026-02-30"],
    ["backfill", "--start"],  # an option without its value
    ["bucket", "--help"],
    ["bucket"],  # a group without its subcommand: its help
    ["bucket", "show", "--help"],
    ["bucket", "nope"],  # a subcommand the group does not have
    ["validate"],  # a missing argument
]


def test_the_console_script_builds_only_the_command_it_runs_and_prints_the_same():
    """main() hands Typer an app holding only the named command (Typer builds every command's options before it
    parses): its help, errors and exit codes are those of the whole app."""
    import typer.main
    from typer.testing import CliRunner

    from picks_export.cli import app
    from picks_export.cli.process import app_for as _app_for

    assert list(typer.main.get_command(_app_for(["daily", "--dry-run"])).commands) == ["daily"]  # type: ignore[attr-defined]
    assert list(typer.main.get_command(_app_for(["bucket", "show"])).commands) == ["bucket"]  # type: ignore[attr-defined]
    for arguments in NARROWED_LINES:
        narrowed = CliRunner().invoke(_app_for(arguments), arguments)
        whole = CliRunner().invoke(app, arguments)
        assert (narrowed.exit_code, narrowed.stdout, narrowed.stderr) == (
            whole.exit_code,
            whole.stdout,
            whole.stderr,
        ), arguments
        assert whole.exit_code in (0, 2) and (whole.stdout or whole.stderr), arguments


def test_without_a_command_name_first_the_console_script_builds_the_whole_app(monkeypatch):
    from picks_export.cli import app
    from picks_export.cli.process import app_for as _app_for

    for arguments in ([], ["--help"], ["--version"], ["dayly"], ["-h", "daily"], ["Daily"]):
        assert _app_for(arguments) is app, arguments
    assert _app_for(["daily"]) is not app
    monkeypatch.setenv("_PICKS_EXPORT_COMPLETE", "bash_complete")  # shell completion lists every command
    assert _app_for(["daily"]) is app


CONSOLE = """
import gc, sys
collections = []
def heard(phase, info):
    if phase == "start":
        cli = sys.modules.get("picks_export.cli")
        collections.append(cli is None or hasattr(cli, "main"))  # False: while the command line's modules load
gc.callbacks.append(heard)
sys.argv = ["picks-export", *sys.argv[1:]]
from picks_export import console
try:
    console.main()
except SystemExit as exit:
    code = exit.code
print(all(collections), gc.isenabled(), code, file=sys.stderr)
"""


def test_the_console_script_loads_the_command_line_without_collecting():
    """The entry point turns collections off before cli's modules load; the command still runs with them on."""
    import importlib.metadata

    (script,) = [
        each for each in importlib.metadata.entry_points(group="console_scripts") if each.name == "picks-export"
    ]
    assert script.value == "picks_export.console:main"
    for arguments, expected in ((["daily", "--help"], "True True 0"), (["--version"], "True False 0")):
        done = subprocess.run([sys.executable, "-c", CONSOLE, *arguments], capture_output=True, text=True, timeout=120)
        assert done.stderr.strip().splitlines()[-1] == expected, (arguments, done.stderr)


LOADED = """
import sys
sys.argv = ["picks-export", *sys.argv[1:]]
from picks_export.console import main
try:
    main()
except SystemExit:
    pass
commands = sorted(name.rsplit(".", 1)[1] for name in sys.modules if name.endswith("_commands"))
print(commands, "logging" in sys.modules, file=sys.stderr)
"""


def test_the_console_script_imports_only_the_module_of_its_command_and_no_logger():
    """A run loads its own command's module, and `logging` only for --log-format json (each costs start-up)."""
    for arguments, expected in ((["daily", "--help"], "['run_commands'] False"), (["bucket", "--help"], "['bucket_commands'] False"),
                                (["--help"], "['bucket_commands', 'file_commands', 'run_commands'] False")):  # fmt: skip
        done = subprocess.run([sys.executable, "-c", LOADED, *arguments], capture_output=True, text=True, timeout=120)
        assert done.stderr.strip().splitlines()[-1] == expected, (arguments, done.stderr)


def test_the_table_of_command_modules_names_every_command_in_the_help_s_order():
    from typer.main import get_command_name

    from picks_export.cli import app
    from picks_export.cli.process import COMMAND_MODULES

    found = {each.name or get_command_name(each.callback.__name__): each.callback.__module__.rsplit(".", 1)[1]
             for each in app.registered_commands}  # fmt: skip
    found.update({each.name: "bucket_commands" for each in app.registered_groups})
    assert found == COMMAND_MODULES and list(found) == list(COMMAND_MODULES)


def test_a_converged_daily_spools_only_the_files_it_sends(rows, run, monkeypatch, tmp_path):
    """A daily rebuilds its season and compares each file with the published one by hash: the files the plan
    leaves unchanged are kept as stand-ins (no bytes spooled, read back or hashed again); the files it sends are
    spooled, and it publishes the same bytes as a daily that spools every file (as a build worker does)."""
    import datetime as dt
    import shutil

    import orjson
    from conftest import published_bytes

    from picks_export.exporters import publish, staging
    from picks_export.exporters.engines.duckdb_engine import DuckDBEngine
    from picks_export.exporters.exporter import Exporter
    from picks_export.exporters.stores import FolderStore

    days = [dt.date(2026, 2, 2) + dt.timedelta(days=offset) for offset in range(6)]
    for day in days[:-1]:
        rows.game(day)
        rows.graded_pick(day, "Player One", "hit")
    rows.game(days[-1])
    first = run(rows, today=days[-2])
    first.exporter().backfill(days[0], days[-2])
    rows.pick(days[-1], "Player Two")  # a new game day: its file, the season's and the index change
    daily = run(rows, today=days[-1])
    history = tmp_path / "history"
    shutil.copytree(daily.dest, history)

    spooled: list[bytes] = []
    put = publish.Spool.put
    monkeypatch.setattr(publish.Spool, "put", lambda self, data: spooled.append(data) or put(self, data))
    kept: list[publish.Payload] = []
    keep = staging.Stager._kept
    monkeypatch.setattr(staging.Stager, "_kept", lambda *args: kept.append(keep(*args)) or kept[-1])
    actions = daily.exporter().daily(days[-1]).report.actions

    stand_ins = [each for each in kept if each.inline is None and each.spool is None]
    sent = [each for each in kept if each.spool is not None]
    assert len(stand_ins) == len(days) - 1 and all(actions[each.path] == "unchanged" for each in stand_ins)
    assert sent and all(actions[each.path] in ("new", "changed") for each in sent)
    # spooled: the files sent and the season's Parquet table (the schemas and the site files stay in memory)
    day_files = [orjson.loads(each)["date"] for each in spooled if each.startswith(b'{"date":')]
    assert len(spooled) == len(sent) + 1 and day_files == [days[-1].isoformat()]
    with pytest.raises(publish.SpoolError, match="not built by this one"):
        stand_ins[0].data  # noqa: B018  a stand-in has no bytes to send

    monkeypatch.setattr(staging.Stager, "_kept", keep)
    every = staging.Stager.__init__
    monkeypatch.setattr(
        staging.Stager, "__init__", lambda self, *args, current=None, **named: every(self, *args, **named)
    )
    Exporter(DuckDBEngine(daily.warehouse), FolderStore(history), daily.options).daily(days[-1])
    assert published_bytes(history) == published_bytes(daily.dest)


# What a small daily over DuckDB into a folder never needs: the Parquet writer (its season table is current), SQL
# transpiling (the SQL cache is warm), the clients of the other engines and stores and their HTTP stack, the logger
# (plain output), the build workers' machinery (one model), gzip (a folder stores plain bytes), Rich.
NOT_FOR_A_SMALL_DAILY = (
    "pyarrow", "sqlglot", "jinja2", "google", "boto3", "botocore", "urllib3", "requests", "http", "ssl",
    "platformdirs", "logging", "multiprocessing", "concurrent", "gzip", "rich", "pydantic", "numpy", "pandas",
)  # fmt: skip

CONSOLE_RUN = """
import sys
sys.argv = ["picks-export", *sys.argv[1:]]
from picks_export.console import main
try:
    main()
except SystemExit as exit:
    code = exit.code
print(code, sorted({name.split(".")[0] for name in sys.modules} & set(NOT_NEEDED)), file=sys.stderr)
"""


def test_a_small_daily_imports_nothing_it_does_not_need(tmp_path):
    """An import-time guard on the console script: a daily of the champion over its published season (the
    bench/startup.py case) loads none of NOT_FOR_A_SMALL_DAILY, so an eager import added anywhere on its way fails
    here rather than slowing every daily."""
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1782864000"}
    env = {
        name: value
        for name, value in env.items()
        if not name.startswith("PICKS_EXPORT_") or name.endswith("_INSTALLED")
    }
    code = f"NOT_NEEDED = {NOT_FOR_A_SMALL_DAILY!r}\n{CONSOLE_RUN}"
    common = [
        "--warehouse",
        str(tmp_path / "warehouse.duckdb"),
        "--dest",
        str(tmp_path / "site"),
        "--today",
        "2025-11-05",
    ]

    def console(*arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *arguments], capture_output=True, text=True, env=env, timeout=120
        )
        return done.stderr.strip().splitlines()[-1]

    assert console("demo", "--today", "2025-11-05", "--warehouse", common[1]).startswith("0 ")
    assert console("backfill", "--start", "2025-10-21", "--end", "2025-11-05", *common).startswith("0 ")
    assert console("daily", "--date", "2025-11-01", *common).startswith("0 ")  # the one that changes the status file
    assert console("daily", "--date", "2025-11-01", *common) == "0 []"
