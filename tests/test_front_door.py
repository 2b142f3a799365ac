"""The command line's front door: `status` with a verdict first and durations a person reads, help that is true
(each command's own exit codes, option groups, readable usage lines), --json on every command that reads and on
every exit code of a run, the demo's suggestions, and scripts/demo.sh ending on a coherent site."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import WarehouseRows, demo_warehouse, invoke
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.cli.root import ALWAYS, COMMAND_EXITS, EXITS
from picks_export.exporters.engines.duckdb_engine import write_warehouse
from picks_export.exporters.errors import OptionError
from picks_export.exporters.status import human_duration, parse_age

TODAY = "2025-11-05"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return demo_warehouse(tmp_path_factory, TODAY)


@pytest.fixture(scope="module")
def published(warehouse, tmp_path_factory) -> Path:
    """A folder a daily published to."""
    dest = tmp_path_factory.mktemp("published") / "public"
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY)
    assert result.exit_code == 0, result.output
    return dest


# status


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("26h", 26 * 3600), ("1h30m", 5400), ("90m", 5400), ("2d", 172800), ("1d12h", 129600), ("1h 30m", 5400),
     ("90", 90), ("1.5h", 5400), ("2m30s", 150)],
)  # fmt: skip
def test_max_age_reads_compound_durations(text, seconds):
    assert parse_age(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["30m1h", "1h1h", "h", "1x", "", "0h0m", "1h-30m", "soon"])
def test_max_age_refuses_what_is_not_a_duration(text):
    with pytest.raises(OptionError, match="is not a positive duration like 26h, 90m or 2d"):
        parse_age(text)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(1, "1 s"), (59, "59 s"), (60, "1 min"), (720, "12 min"), (3600, "1 h"), (26 * 3600, "26 h"),
     (27 * 3600 + 300, "27 h 5 min"), (48 * 3600, "2 d"), (76 * 3600, "3 d 4 h")],
)  # fmt: skip
def test_durations_read_as_a_person_says_them(seconds, shown):
    assert human_duration(dt.timedelta(seconds=seconds)) == shown


def test_status_says_its_verdict_first_and_json_prints_the_file(published):
    result = invoke("status", "--dest", str(published), "--today", TODAY)
    assert result.exit_code == 0, result.output
    verdict = result.stdout.splitlines()[0]
    assert re.fullmatch(
        rf"ok: last run \d+ (s|min|h)( \d+ min)? ago \(daily --date {TODAY}\); graded through \d{{4}}-\d\d-\d\d;"
        r" (no date|1 date|\d+ dates) waiting for grading",
        verdict,
    ), verdict
    as_json = invoke("status", "--dest", str(published), "--today", TODAY, "--json")
    assert as_json.exit_code == 0
    assert orjson.loads(as_json.stdout) == orjson.loads((published / "v1/status.json").read_bytes())


def test_a_stale_run_is_an_alert_in_words_a_person_reads(published, tmp_path):
    dest = tmp_path / "public"
    shutil.copytree(published, dest)
    status = orjson.loads((dest / "v1/status.json").read_bytes())
    finished = dt.datetime.now(dt.UTC) - dt.timedelta(hours=27, minutes=5, seconds=30)
    status["run"]["finished_at"] = finished.strftime("%Y-%m-%dT%H:%M:%SZ")
    (dest / "v1/status.json").write_bytes(orjson.dumps(status))
    late = invoke("status", "--dest", str(dest), "--today", TODAY)
    assert late.exit_code == 9
    assert late.stdout.startswith("alert: last run 27 h 5 min ago (daily --date ")
    assert late.stderr == (
        f"Error: the last successful run finished 27 h 5 min ago ({status['run']['finished_at']}), more than 26 h\n"
    )
    assert invoke("status", "--dest", str(dest), "--today", TODAY, "--max-age", "1d3h30m").exit_code == 0
    compound = invoke("status", "--dest", str(dest), "--today", TODAY, "--max-age", "1h30m")
    assert compound.exit_code == 9 and compound.stderr.endswith(", more than 1 h 30 min\n")
    assert "0.0" not in compound.stderr and "0.000" not in compound.stdout


def test_status_lists_each_model_and_the_warnings(warehouse, tmp_path):
    dest = tmp_path / "public"
    ran = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, "--all-models")
    assert ran.exit_code == 0, ran.output
    result = invoke("status", "--dest", str(dest), "--today", TODAY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("; 2 models")
    assert [line.split(":")[0] for line in lines[1:3]] == ["model 926A", "model phoenix"]
    assert all("waiting for grading" in line for line in lines[1:3])


# help that is true


def all_commands() -> dict[str, object]:
    import typer.main

    group = typer.main.get_command(app)
    commands = {name: command for name, command in group.commands.items() if name != "bucket"}
    commands |= {f"bucket {name}": each for name, each in group.commands["bucket"].commands.items()}
    return commands


def test_every_command_declares_its_exits_and_its_help_lists_exactly_those():
    commands = all_commands()
    assert set(COMMAND_EXITS) == set(commands)
    for name, exits in COMMAND_EXITS.items():
        assert set(ALWAYS) <= set(exits), name
        text = " ".join(invoke(*name.split(), "--help").stdout.split())
        listed = text.split("Exit codes: ", 1)[1].split(".", 1)[0]
        assert listed == "; ".join(f"{code} {meaning}" for code, meaning in exits.items()), name
        assert re.findall(r"(?:^|; )(\d+) ", listed) == [str(code) for code in exits], name


@pytest.mark.parametrize("name", ["status", "runs", "bucket cors", "bucket setup", "bucket show"])
def test_commands_that_publish_nothing_do_not_list_publishing_failures(name):
    text = " ".join(invoke(*name.split(), "--help").stdout.split())
    assert "could not be (all) published" not in text and "files could not be" not in text
    assert "6 the " in text  # a destination that cannot be read or changed is still exit 6
    assert "rollback" not in COMMAND_EXITS[name].get(7, "")


def test_the_export_commands_exits():
    for name in ("daily", "backfill", "season"):
        assert set(COMMAND_EXITS[name]) - set(ALWAYS) >= {1, 3, 4, 5, 6, 7}, name
        assert "rollback" not in COMMAND_EXITS[name][7]
    assert 8 in COMMAND_EXITS["daily"] and 8 not in COMMAND_EXITS["backfill"]
    assert 9 in COMMAND_EXITS["status"] and all(
        9 not in COMMAND_EXITS[name] for name in COMMAND_EXITS if name != "status"
    )
    from picks_export.exporters.runs import RollbackRefused

    assert RollbackRefused.exit_code in COMMAND_EXITS["rollback"]
    assert EXITS[6].startswith("files could not be (all) published")


def bad_data_warehouse(tmp_path: Path, *, graded: bool = True, bad: bool = False) -> Path:
    day = dt.date(2026, 1, 14)
    rows = WarehouseRows()
    rows.game(day)
    rows.game(day - dt.timedelta(days=1), status="final")
    if graded:
        rows.graded_pick(day - dt.timedelta(days=1), "Yesterday Guy", "hit")
    else:
        rows.pick(day - dt.timedelta(days=1), "Not Graded")
    rows.pick(day, "Good Player", direction="SIDEWAYS" if bad else "OVER")
    return write_warehouse(tmp_path / f"w-{graded}-{bad}.duckdb", rows.rows())


def exit_scenarios(tmp_path: Path, published: Path, warehouse: Path) -> list[tuple[str, list[str], int]]:
    """Invocations that end with each exit code a command declares (beyond ALWAYS, whose 70 and 130 / 143 have
    tests of their own), on folders."""
    empty, other = tmp_path / "empty", tmp_path / "other.duckdb"
    empty.mkdir()
    other.write_bytes(b"not a warehouse")
    (tmp_path / "bad.json").write_bytes(b'{"not": "a published file"}')
    (tmp_path / "picks").mkdir()
    (tmp_path / "picks" / "2026-01-01.json").write_bytes(b'{"date": 1}')
    return [
        ("status", ["--dest", str(published), "--today", TODAY], 0),
        ("status", ["--dest", str(published), "--prefix", ""], 1),
        ("status", ["--dest", str(empty)], 9),
        ("status", ["--bogus"], 2),
        ("runs", ["--dest", str(published)], 0),
        ("runs", ["--dest", ""], 1),
        ("validate", [str(published)], 0),
        ("validate", [str(tmp_path / "missing")], 1),
        ("validate", [str(tmp_path / "picks")], 4),
        ("estimate", ["daily", "--warehouse", str(warehouse)], 1),
        ("demo", ["--warehouse", str(warehouse), "--today", TODAY], 0),
        ("demo", ["--warehouse", str(other), "--today", TODAY], 1),
        ("serve", [str(published), "--origin", "not a url"], 1),
        ("rollback", ["not a run", "--dest", str(published)], 1),
    ]


def test_each_exit_a_command_ends_with_is_declared(tmp_path, published, warehouse):
    seen: dict[str, set[int]] = {}
    for name, args, expected in exit_scenarios(tmp_path, published, warehouse):
        result = invoke(*name.split(), *args)
        assert result.exit_code == expected, (name, args, result.output)
        assert expected in COMMAND_EXITS[name], (name, expected)
        seen.setdefault(name, set()).add(expected)
    # Of these commands every exit it declares is one an invocation above (or a bucket test) ends with.
    for name in ("status", "validate"):
        declared = set(COMMAND_EXITS[name]) - {70, 130} - ({6} if name == "status" else set())
        assert declared == seen[name] | ({2} if name != "status" else set()), name


def test_a_bucket_that_cannot_be_read_is_exit_6_for_the_commands_that_read(gcs, s3):
    from stores import S3_ENV

    env = {**S3_ENV, "PICKS_EXPORT_S3_ENDPOINT_URL": s3.url}
    for name in ("status", "runs"):
        result = invoke(name, "--dest", "s3://no-such-bucket-here", env=env)
        assert result.exit_code == 6 and 6 in COMMAND_EXITS[name], (name, result.output)
        assert result.stderr.startswith("Error: ") and "no-such-bucket-here" in result.stderr
    env = {"STORAGE_EMULATOR_HOST": gcs.url}
    missing = invoke("bucket", "show", "--dest", "gs://no-such-bucket-here", env=env)
    assert missing.exit_code == 6 and missing.stderr == "Error: bucket gs://no-such-bucket-here does not exist\n"
    folder = invoke("bucket", "show", env={**env, "PICKS_EXPORT_DEST": "public"})
    assert folder.exit_code == 1 and 1 in COMMAND_EXITS["bucket show"]


def test_the_export_commands_group_their_options():
    text = invoke("daily", "--help").stdout
    headings = re.findall(r"^([A-Z][A-Za-z ]+):$", text, re.M)
    assert headings == ["Options", "Warehouse", "Destination", "Scope", "Publishing", "Quality checks", "Output"]
    sections = dict(zip(headings, re.split(r"^[A-Z][A-Za-z ]+:$", text, flags=re.M)[1:]))
    assert "--warehouse" in sections["Warehouse"] and "--maximum-bytes-billed" in sections["Warehouse"]
    assert "--dest" in sections["Destination"] and "--lock-timeout" in sections["Destination"]
    assert "--today DATE" in sections["Scope"] and "--model" in sections["Scope"]
    assert "--dry-run" in sections["Publishing"] and "--require-graded" in sections["Quality checks"]
    assert sections["Output"].rstrip().endswith("Show this message and exit.")
    for name in ("backfill", "season"):
        assert "\nPublishing:\n" in invoke(name, "--help").stdout and "--today DATE" in invoke(name, "--help").stdout


def test_usage_lines_read_as_a_person_writes_the_command():
    usages = {
        name: runner.invoke(app, [*name.split(), "--help"], prog_name="picks-export").stdout.splitlines()[0]
        for name in COMMAND_EXITS
    }
    assert usages["validate"] == "Usage: picks-export validate [OPTIONS] PATH..."
    assert usages["rollback"] == "Usage: picks-export rollback [OPTIONS] RUN_ID"
    assert usages["estimate"] == "Usage: picks-export estimate [OPTIONS] COMMAND"
    assert usages["serve"] == "Usage: picks-export serve [OPTIONS] PATH"
    assert usages["bucket show"] == "Usage: picks-export bucket show [OPTIONS]"
    assert not any("{" in usage for usage in usages.values()), usages


def test_help_says_what_each_command_does_with_dest_and_dry_run():
    def option_help(command: str, option: str) -> str:
        text = invoke(*command.split(), "--help").stdout
        block = re.search(rf"^  {option} .*?(?=^  -|\Z|^\S)", text, re.M | re.S)
        assert block, (command, option)
        return " ".join(block.group(0).split())

    assert "Where to publish" in option_help("daily", "--dest")
    assert "publish" not in option_help("status", "--dest").replace("published", "")
    assert "read the status file from" in option_help("status", "--dest")
    rollback = option_help("rollback", "--dry-run")
    assert "shrink guard" not in rollback and "rollback" in rollback
    assert "shrink guard" in option_help("daily", "--dry-run")
    assert "--lock-timeout" not in invoke("status", "--help").stdout  # reading takes no lock


# --json


def test_runs_json_lists_the_records(published):
    result = invoke("runs", "--dest", str(published), "--json")
    assert result.exit_code == 0
    (run,) = orjson.loads(result.stdout)
    assert set(run) == {"run", "started_at", "command", "files", "complete"} and run["complete"] is True
    assert run["command"] == f"daily --date {TODAY}"
    assert invoke("runs", "--dest", str(published)).stdout.startswith(run["run"])


def json_report(result) -> dict:
    document = orjson.loads(result.stdout)
    assert document["exit_code"] == result.exit_code
    return document


def test_json_report_on_every_exit_code_with_the_error(tmp_path, warehouse, published):
    dest = tmp_path / "public"
    cases = [
        (["--warehouse", str(warehouse), "--cache-day", ""], 1),
        (["--warehouse", str(bad_data_warehouse(tmp_path, bad=True)), "--date", "2026-01-14"], 3),
        (["--warehouse", str(tmp_path / "missing.duckdb")], 5),
        (["--warehouse", str(bad_data_warehouse(tmp_path, graded=False)), "--date", "2026-01-14",
          "--require-graded"], 8),
    ]  # fmt: skip
    for args, code in cases:
        result = invoke("daily", "--dest", str(dest), "--today", TODAY, "--json", *args)
        assert result.exit_code == code, (code, result.output)
        document = json_report(result)
        error = result.stderr.splitlines()[-1]
        assert error.startswith("Error: ") and document["error"] == error[len("Error: ") :], code
        assert document["command"] == "daily" and document["files"] == {} and document["bytes_sent"] == 0
    empty = tmp_path / "empty.duckdb"
    assert invoke("demo", "--warehouse", str(empty), "--today", "2025-09-01").exit_code == 0
    shrink = tmp_path / "shrink"
    shutil.copytree(published, shrink)
    refused = invoke("daily", "--warehouse", str(empty), "--dest", str(shrink), "--today", TODAY, "--date", TODAY,
                     "--model", "926A", "--json")  # fmt: skip
    assert refused.exit_code == 7 and json_report(refused)["error"].startswith("refusing to publish anything")
    fine = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, "--json")
    assert fine.exit_code == 0 and json_report(fine)["error"] is None


def test_json_report_counts_the_bytes_of_unchanged_files(warehouse, published, tmp_path):
    dest = tmp_path / "public"
    shutil.copytree(published, dest)
    again = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, "--json")
    assert again.exit_code == 0, again.output
    unchanged = json_report(again)["files"]["unchanged"]
    assert len(unchanged) > 10
    for entry in unchanged:
        assert entry["bytes"] == (dest / entry["path"]).stat().st_size > 0, entry
    verbose = invoke("daily", "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY, "-v")
    line = next(line for line in verbose.stdout.splitlines() if line.startswith("unchanged") and "index.json" in line)
    assert re.search(r"  [\d,]+ bytes", line), line


def test_the_plan_and_the_summary_name_a_headers_only_update_patched(warehouse, tmp_path):
    result = invoke("daily", "--warehouse", str(warehouse), "--dest", str(tmp_path), "--today", TODAY)
    assert result.exit_code == 0, result.output
    plan, summary = result.stdout.splitlines()[-2:]
    assert ", 0 patched, " in plan and ", 0 patched, " in summary
    assert "restyle" not in result.stdout and "headers updated" not in result.stdout


# the demo


def test_demo_suggestions_carry_the_warehouse_and_dataset_given(tmp_path, monkeypatch):
    path = tmp_path / "my warehouse.duckdb"
    result = invoke("demo", "--warehouse", str(path), "--dataset", "demo_set", "--today", TODAY)
    assert result.exit_code == 0, result.output
    suggested = [line.strip() for line in result.stdout.splitlines() if line.startswith("  picks-export ")]
    assert len(suggested) == 3
    for line in suggested:
        assert line.endswith(f" --warehouse '{path}' --dataset demo_set --today {TODAY}"), line
        args = __import__("shlex").split(line)[1:]
        ran = invoke(*args, "--dest", str(tmp_path / "public"), "-q")
        assert ran.exit_code == 0, (line, ran.output)
    monkeypatch.chdir(tmp_path)
    plain = invoke("demo", "--today", TODAY)
    assert plain.exit_code == 0 and (tmp_path / "warehouse.duckdb").exists()
    assert "--dataset" not in plain.stdout and "--warehouse" not in plain.stdout


def test_demo_script_ends_on_a_coherent_site(tmp_path):
    """scripts/demo.sh: every date of the season file has its day file, the index lists exactly the day files,
    the manifest's season entry spans them, and every file is valid."""
    cli = shutil.which("picks-export", path=str(Path(sys.executable).parent))
    assert cli, "the installed console script"
    dest = tmp_path / "public"
    env = {**os.environ, "PICKS_EXPORT": cli, "PICKS_EXPORT_WAREHOUSE": str(tmp_path / "w.duckdb"),
           "PICKS_EXPORT_DEST": str(dest), "PICKS_EXPORT_TODAY": "2026-02-07"}  # fmt: skip
    done = subprocess.run(["bash", str(ROOT / "scripts/demo.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    site = dest / "v1"
    days = {path.stem for path in (site / "picks").glob("????-??-??.json")}
    season = orjson.loads((site / "subsets/season.json").read_bytes())
    season_dates = {entry["date"] for group in season["groups"] for entry in group["dates"]}
    assert season_dates and season_dates <= days
    index = orjson.loads((site / "picks/index.json").read_bytes())
    assert {entry["date"] for entry in index["dates"]} == days
    assert {entry["date"] for entry in index["dates"] if entry["picks"]} == season_dates
    manifest = orjson.loads((site / "manifest.json").read_bytes())
    (entry,) = manifest["models"][0]["seasons"]
    assert (entry["first_date"], entry["last_date"]) == (min(season_dates), max(season_dates))
    assert (dest / entry["path"]).exists() and (dest / manifest["status"]).exists()
    assert (entry["first_date"], entry["last_date"]) == ("2025-10-21", "2026-02-07")
    assert invoke("validate", str(dest)).exit_code == 0


def test_license_and_changelog():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n\nCopyright (c) ")
    assert "picks-export contributors" in (ROOT / "LICENSE").read_text().splitlines()[2]
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n") and "## [Unreleased]" in changelog
    from importlib.metadata import metadata, version

    assert f"## [{version('picks-export')}]" in changelog
    assert "MIT" in (metadata("picks-export").get("License-Expression") or metadata("picks-export").get("License"))


# bucket show


def test_bucket_show_reports_versioning_and_lifecycle(gcs, bucket):
    env = {"STORAGE_EMULATOR_HOST": gcs.url}
    before = invoke("bucket", "show", "--dest", f"gs://{bucket}", env=env)
    assert before.exit_code == 0, before.output
    assert "\nversioning: off (each run copies what it replaces under _runs/ for rollback;" in before.stdout
    assert "\nlifecycle: none\n" in before.stdout
    setup = ["bucket", "setup", "--dest", f"gs://{bucket}", "--origin", "https://picks.example.com"]
    assert invoke(*setup, "--noncurrent-days", "14", env=env).exit_code == 0
    after = invoke("bucket", "show", "--dest", f"gs://{bucket}", env=env)
    assert after.exit_code == 0, after.output
    assert "\nversioning: on (replaced versions are kept " in after.stdout  # the server keeps no lifecycle rules
    shown = invoke("bucket", "show", "--dest", f"gs://{bucket}", "--json", env=env)
    assert shown.exit_code == 0, shown.output
    document = orjson.loads(shown.stdout)
    assert document["versioning"] is True and document["name"] == bucket and document["objects"] == 0
    assert set(document) == {"dest", "name", "cors", "objects", "total_bytes", "versioning", "lifecycle", "kept_days"}


def test_how_long_replaced_versions_are_kept_is_read_from_the_lifecycle_rules():
    from picks_export.cli.bucket_commands import _versioning, kept_days

    rules = [
        {"action": {"type": "Delete"}, "condition": {"age": 400}},
        {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 30}},
        {"action": {"type": "SetStorageClass"}, "condition": {"daysSinceNoncurrentTime": 7}},
        {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 14, "isLive": False}},
    ]
    assert kept_days(rules) == 14 and kept_days(rules[:1]) is None and kept_days([]) is None
    s3_rules = [
        {"ID": "a", "Status": "Disabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 3}},
        {"ID": "b", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 9}},
        {"ID": "c", "Status": "Enabled", "Expiration": {"Days": 1}},
    ]
    assert kept_days(s3_rules) == 9 and kept_days(s3_rules[::2]) is None
    assert _versioning(True, 14) == "on (replaced versions are kept for 14 days: how far back a run can be rolled back)"
    assert _versioning(True, None).startswith("on (replaced versions are kept until deleted")
    assert _versioning(False, 14).startswith("off (")


def test_bucket_show_on_s3_reports_versioning_and_lifecycle(s3, tmp_path, warehouse):
    from stores import S3_ENV

    client, name = s3.client(), "show-versioned"
    client.create_bucket(Bucket=name)
    env = {**S3_ENV, "PICKS_EXPORT_S3_ENDPOINT_URL": s3.url}
    plain = invoke("bucket", "show", "--dest", f"s3://{name}", env=env)
    assert plain.exit_code == 0, plain.output
    assert (
        f"bucket: s3://{name}\ncors: none\nversioning: off (" in plain.stdout and "\nlifecycle: none\n" in plain.stdout
    )
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    rule = {"ID": "replaced", "Status": "Enabled", "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 21}}  # fmt: skip
    client.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [rule]})
    ran = invoke("daily", "--warehouse", str(warehouse), "--dest", f"s3://{name}/site", "--today", TODAY, env=env)
    assert ran.exit_code == 0, ran.output
    shown = invoke("bucket", "show", "--dest", f"s3://{name}/site", env=env)
    assert shown.exit_code == 0, shown.output
    assert "\nversioning: on (replaced versions are kept for 21 days: how far back a run can be rolled back)\n" in (
        shown.stdout
    )
    objects = [item for item in client.list_objects_v2(Bucket=name, Prefix="site/")["Contents"]]
    total = sum(item["Size"] for item in objects)
    assert f"objects under s3://{name}/site: {len(objects)}, {total:,} bytes" in shown.stdout
    document = orjson.loads(invoke("bucket", "show", "--dest", f"s3://{name}/site", "--json", env=env).stdout)
    assert document["versioning"] is True and document["kept_days"] == 21 and document["objects"] == len(objects)
    assert document["lifecycle"][0]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 21}
    missing = invoke("bucket", "show", "--dest", "s3://no-such-bucket-here", env=env)
    assert missing.exit_code == 6 and missing.stderr == "Error: bucket s3://no-such-bucket-here does not exist\n"
    cors = invoke("bucket", "cors", "--dest", f"s3://{name}", "--origin", "https://x.example", env=env)
    assert cors.exit_code == 1 and "is not a bucket: give --dest gs://BUCKET" in cors.stderr
