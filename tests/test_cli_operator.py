"""The command line as an operator meets it: --version, -h, completion, output volume, --json, progress, dry-run
exit codes, plain usage errors, the season's live file, bucket commands and a folder DEST, and the docs' examples."""

from __future__ import annotations

import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import demo_warehouse, invoke
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.cli.progress import Progress

TODAY = "2025-11-05"
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
OPERATOR_GUIDE = ROOT / "docs" / "operator.md"
EXAMPLE_PAGES = [
    ROOT / "README.md",
    *(ROOT / "docs" / name for name in ("operator.md", "regenerating.md", "frontend.md")),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return demo_warehouse(tmp_path_factory, TODAY)


def run_args(warehouse: Path, dest: Path, *more: str) -> list[str]:
    return ["--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, *more]


def test_version_short_help_and_module():
    from importlib.metadata import version

    assert invoke("--version").stdout == f"picks-export {version('picks-export')}\n"
    assert invoke("daily", "-h").stdout == invoke("daily", "--help").stdout
    module = subprocess.run([sys.executable, "-m", "picks_export", "--version"], capture_output=True, text=True)
    assert module.returncode == 0 and module.stdout.startswith("picks-export ")


def test_completion_script():
    result = invoke("--show-completion", "bash")
    assert result.exit_code == 0 and "_PICKS_EXPORT_COMPLETE" in result.stdout or "complete" in result.stdout
    assert "--install-completion" in invoke("--help").stdout


def test_default_output_is_the_plan_and_the_summary(warehouse, tmp_path):
    result = invoke("backfill", *run_args(warehouse, tmp_path, "--start", "2025-10-01", "--end", TODAY))
    assert result.exit_code == 0, result.output
    plan, summary = result.stdout.splitlines()
    assert re.fullmatch(r"plan: (\d+) files: \1 new, 0 changed, 0 patched, 0 unchanged, 0 refused", plan)
    assert summary.startswith(plan.split()[1] + " files: ") and "warehouse queries in" in summary


def test_verbose_lists_every_file_and_quiet_only_the_summary(warehouse, tmp_path):
    first = invoke("daily", *run_args(warehouse, tmp_path))
    again = invoke("daily", *run_args(warehouse, tmp_path, "-v"))
    assert again.exit_code == 0
    lines = again.stdout.splitlines()
    # Every file but the status file (a heartbeat naming the run, rewritten by every run) is unchanged.
    files = [line for line in lines[1:-1] if "/v1/status.json" not in line]
    # The daily publishes its season up to the date: 28 files on the demo, the season's table among them.
    assert len(lines) == 1 + 28 + 1 and len(files) == 27 and all(line.startswith("unchanged ") for line in files)
    # the season's table too, with its size (an unchanged file's bytes are counted, not 0)
    assert any(re.search(r"/v1/subsets/seasons/2025-26\.parquet  [1-9][\d,]* bytes$", line) for line in files)
    assert first.stdout.count("\n") == 2
    quiet = invoke("daily", *run_args(warehouse, tmp_path, "-q"))
    assert quiet.stdout.count("\n") == 1 and quiet.stderr == ""
    assert quiet.stdout.startswith("28 files: 1 written, 0 patched, 27 unchanged")
    both = invoke("daily", *run_args(warehouse, tmp_path, "-v", "-q"))
    assert both.exit_code == 2 and both.stderr.startswith("Error: ") and "exclude each other" in both.stderr


def test_json_report(warehouse, tmp_path):
    result = invoke("daily", *run_args(warehouse, tmp_path, "--json"))
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)  # one document, nothing else on stdout
    assert report["command"] == "daily" and report["exit_code"] == 0 and report["queries"] == 7
    assert report["warnings"] == [] and re.fullmatch(r"\d{20}-[0-9a-f]{8}", report["run"])
    assert report["counts"] == {"written": 28} and report["bytes_sent"] == sum(
        f["bytes"] for f in report["files"]["written"]
    )
    assert f"v1/picks/{TODAY}.json" in {f["path"] for f in report["files"]["written"]}


def shrinking(warehouse: Path, dest: Path, tmp_path: Path) -> list[str]:
    """A published day with picks, and a warehouse that has none for it: the shrink guard's case."""
    assert invoke("daily", *run_args(warehouse, dest, "--date", TODAY)).exit_code == 0
    empty = tmp_path / "empty.duckdb"
    assert invoke("demo", "--warehouse", str(empty), "--today", "2025-09-01").exit_code == 0
    return ["daily", *run_args(empty, dest, "--date", TODAY, "--model", "926A")]


def test_dry_run_exits_as_the_run_would_and_counts_refusals(warehouse, tmp_path):
    dest = tmp_path / "public"
    args = shrinking(warehouse, dest, tmp_path)
    before = {path: path.read_bytes() for path in dest.rglob("*.json")}
    dry = invoke(*args, "--dry-run")
    assert dry.exit_code == 7, dry.output
    # Every published day of the season would lose its picks (16 of them), the date's among them.
    assert re.search(r"dry run, nothing published: \d+ files \(.*, 16 refused\)", dry.stdout)
    assert f"refused    {dest / 'v1/picks' / (TODAY + '.json')}" in dry.stdout
    assert (
        dry.stderr.startswith("Error: dry run: the shrink guard would refuse the run: ") and dry.stderr.count("\n") == 1
    )
    real = invoke(*args)
    assert real.exit_code == 7
    as_json = invoke(*args, "--json")
    assert as_json.exit_code == 7 and orjson.loads(as_json.stdout)["counts"]["refused"] == 16
    assert {path: path.read_bytes() for path in dest.rglob("*.json")} == before
    allowed = invoke(*args, "--dry-run", "--allow-shrink")
    assert allowed.exit_code == 0 and "0 refused" in allowed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["daily", "--date", "2026-02-30"], "Error: Invalid value for '--date': expected YYYY-MM-DD, got 2026-02-30"),
        (
            ["backfill", "--start", "yesterday"],
            "Error: Invalid value for '--start': expected YYYY-MM-DD, got yesterday",
        ),
        (["daily", "--workers", "0"], "Error: Invalid value for '--workers'"),
        (["daily", "--no-such-option"], "Error: No such option: --no-such-option"),
    ],
)
def test_usage_error_is_one_line_and_a_hint(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    error, hint = result.stderr.splitlines()
    assert error.startswith(message) and hint == f"Try 'root {args[0]} --help' for help."
    assert "╭" not in result.output and result.stdout == ""


def test_help_at_80_columns_has_readable_metavars_and_whole_env_names():
    for command in ("daily", "backfill", "season", "demo", "validate", "estimate", "serve"):
        text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"}, terminal_width=80).stdout
        assert "%Y" not in text and not re.search(r"<[A-Za-z]+(\[[A-Za-z]+\])?>", text), text
        names = set(re.findall(r"PICKS_EXPORT_[A-Z0-9_]+", text))
        assert all(re.search(rf"\b{name}[];]", text) for name in names), names
    assert (
        "--date DATE" in invoke("daily", "--help").stdout
        and "--maximum-bytes-billed BYTES" in invoke("daily", "--help").stdout
    )


def test_explicit_as_of_leaves_the_live_season_file(warehouse, tmp_path):
    assert invoke("daily", *run_args(warehouse, tmp_path)).exit_code == 0
    live = (tmp_path / "v1/subsets/season.json").read_bytes()
    result = invoke("season", *run_args(warehouse, tmp_path, "--as-of", "2025-10-28"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "v1/subsets/season.json").read_bytes() == live
    assert orjson.loads((tmp_path / "v1/subsets/seasons/2025-26.json").read_bytes())["as_of"] == "2025-10-28"
    latest = invoke("season", *run_args(warehouse, tmp_path, "-v"))  # without --as-of: both, latest records
    assert latest.exit_code == 0 and "subsets/season.json" in latest.stdout
    assert orjson.loads((tmp_path / "v1/subsets/season.json").read_bytes())["as_of"] != "2025-10-28"


def test_bucket_commands_name_a_folder_dest_from_the_environment():
    result = invoke("bucket", "show", env={"PICKS_EXPORT_DEST": "public"})
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: PICKS_EXPORT_DEST is 'public', a folder, not a bucket: give --dest gs://BUCKET to `root bucket show`\n"
    )
    missing = invoke("bucket", "show")
    assert missing.exit_code == 2 and "needs --dest gs://BUCKET" in missing.stderr


def test_progress_bar_on_a_terminal_and_a_total_known_from_the_first_model(warehouse, tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress("building", stream)
    progress.shown_at -= 1
    progress.started -= 2
    progress(50, 100)
    assert stream.getvalue() == "\rbuilding [############............] 50/100 files, 25 files/s, ETA 2 s\033[K"
    progress.close()
    assert stream.getvalue().endswith("\r\033[K")

    import datetime as dt

    from picks_export.exporters import workers
    from picks_export.exporters.engines import open_engine
    from picks_export.exporters.exporter import Exporter
    from picks_export.exporters.options import ExportOptions
    from picks_export.exporters.stores import open_store

    # In one process and in two build workers; the parent looks at the workers' progress far more often than
    # they report it, so a look before any worker knows its total is certain.
    monkeypatch.setattr(workers, "PROGRESS_EVERY", 0.0005)
    for build_workers in (1, 2):
        calls: list[tuple[int, int | None]] = []
        options = ExportOptions(today=dt.date.fromisoformat(TODAY), build_workers=build_workers)
        exporter = Exporter(
            open_engine(str(warehouse), "nba_predictions"), open_store(str(tmp_path / str(build_workers))), options
        )
        exporter.backfill(
            dt.date(2025, 10, 1),
            dt.date.fromisoformat(TODAY),
            lambda done, total: calls.append((done, total)),
            all_models=True,
        )
        final = calls[-1][0]
        assert final > 0 and all(total is not None for _, total in calls), (build_workers, calls[:3])
        assert calls[-1][1] == final and calls[0][1] == final  # both models build as many files: right from the start


def documented_examples() -> list[str]:
    """Every `picks-export ...` example of the operator's guide's command table, of the shell blocks of the README
    and the guides, and of each command's --help."""
    table = [
        cell
        for line in OPERATOR_GUIDE.read_text().splitlines()
        if line.startswith("| `")
        for cell in re.findall(r"`(picks-export [^`]+)`", line.split("|")[3] if line.count("|") >= 4 else "")
    ]
    assert len(table) >= 13, "the command table of docs/operator.md has moved"
    blocks = [
        re.sub(r"^(\.venv/bin/)?", "", line).split("  #")[0].strip()
        for page in EXAMPLE_PAGES
        for block in re.findall(r"^```sh\n(.*?)^```", page.read_text(), re.M | re.S)
        for line in block.splitlines()
        if re.match(r"(\.venv/bin/)?picks-export ", line)
    ]
    helps = []
    for command in (
        "demo",
        "daily",
        "backfill",
        "season",
        "validate",
        "serve",
        "estimate",
        "bucket cors",
        "bucket show",
    ):
        text = invoke(*command.split(), "--help").stdout
        helps += re.findall(r"^    (picks-export .+)$", text, re.M)
    return list(dict.fromkeys(table + blocks + helps))


NEEDS_SERVICE = (
    "gs://",
    "bigquery://",
    "picks-export serve ",
)  # a bucket, BigQuery, or a server that runs until stopped


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory) -> Path:
    """The warehouse `scripts/demo.sh` builds today, and its daily export."""
    folder = tmp_path_factory.mktemp("fresh")
    cli = shutil.which("picks-export", path=str(Path(sys.executable).parent)) or "picks-export"
    for step in (["demo"], ["daily"]):
        subprocess.run([cli, *step], cwd=folder, check=True, capture_output=True)
    return folder


@pytest.mark.parametrize(
    "example", [each for each in documented_examples() if not any(s in each for s in NEEDS_SERVICE)]
)
def test_every_example_runs_as_written_on_a_fresh_demo(example, fresh_demo, tmp_path):
    shutil.copytree(fresh_demo, tmp_path, dirs_exist_ok=True)
    cli = shutil.which("picks-export", path=str(Path(sys.executable).parent)) or "picks-export"
    result = subprocess.run([cli, *shlex.split(example)[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip()


def test_the_examples_cover_every_command():
    examples = " ".join(documented_examples())
    for command in (
        "demo",
        "daily",
        "backfill",
        "season",
        "validate",
        "serve",
        "estimate",
        "bucket cors",
        "bucket show",
    ):
        assert f"picks-export {command}" in examples


def test_the_plan_is_heard_before_anything_is_published(tmp_path):
    """The plan line is printed before the first file goes out, not after the run."""
    import datetime as dt

    from conftest import Run, WarehouseRows

    rows = WarehouseRows()
    day = dt.date(2026, 2, 5)
    rows.game(day)
    rows.graded_pick(day, "Player One", "hit")
    run = Run(tmp_path, rows.rows())
    heard: list[tuple[dict[str, str], list[str]]] = []
    exporter = run.exporter()
    exporter.on_plan = lambda actions: heard.append((dict(actions), run.published()))
    exporter.daily(day)
    ((actions, published_then),) = heard
    assert published_then == []  # nothing was out yet
    assert actions[f"v1/picks/{day}.json"] == "new" and set(actions) == set(run.published())


def test_every_command_takes_at_most_twelve_parameters_and_its_shared_options_from_the_groups():
    """Typer sees each option; the command function receives the shared ones as a few parameter objects."""
    import inspect

    import typer.main

    from picks_export.cli.root import bucket_app

    callbacks = [each.callback for each in [*app.registered_commands, *bucket_app.registered_commands]]
    assert len(callbacks) == 13
    for callback in callbacks:
        assert len(inspect.signature(callback.__wrapped__).parameters) <= 12, callback.__name__
    group = typer.main.get_command(app)
    daily = {opt for param in group.commands["daily"].params for opt in param.opts}
    assert {"--warehouse", "--dest", "--project", "--s3-endpoint-url", "--lock-timeout", "--allow-drop", "--dry-run", "--cache-day", "--json", "--min-volume", "--location",
            "--bigquery-endpoint", "--maximum-bytes-billed", "--require-graded"} <= daily  # fmt: skip
    assert (
        len(group.commands["daily"].params) == 34
    )  # as before, --s3-endpoint-url, --lock-timeout, --allow-drop, --shard: 9 parameters


@pytest.mark.parametrize("prefix", ["", "/", "//"])
def test_an_empty_prefix_is_an_option_error_and_publishes_nothing(warehouse, tmp_path, prefix):
    """The published files need a folder of their own: an empty --prefix is the option's mistake (exit 1)."""
    dest = tmp_path / "public"
    result = invoke("daily", *run_args(warehouse, dest, "--prefix", prefix))
    assert result.exit_code == 1
    assert result.stderr == "Error: --prefix is empty: the published files need a folder of their own, like v1/\n"
    assert not dest.exists() or not any(dest.iterdir())
    status = invoke("status", "--dest", str(dest), "--prefix", prefix)
    assert status.exit_code == 1 and status.stderr.startswith("Error: --prefix is empty")
