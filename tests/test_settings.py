"""The environment's PICKS_EXPORT_ names: every one the commands declare or the tool reads is known, and one that is
not (a typo in a job's settings) gets a warning naming the setting it most likely misspells."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import typer.main
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.cli.process import load_commands
from picks_export.cli.settings import ENV_PREFIX, KNOWN_NAMES, OPTION_NAMES, TOOLING_NAMES, unknown_names

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def declared_env_vars() -> set[str]:
    """The env var of every option of every command (the engines' options included)."""
    names: set[str] = set()

    def walk(command: object) -> None:
        for parameter in getattr(command, "params", []):
            envvar = parameter.envvar
            names.update([envvar] if isinstance(envvar, str) else envvar or [])
        for each in getattr(command, "commands", {}).values():
            walk(each)

    walk(typer.main.get_command(load_commands()))
    return names


def test_the_option_names_are_the_env_vars_the_commands_declare():
    assert OPTION_NAMES == declared_env_vars()


def test_every_picks_export_name_in_the_project_is_known():
    """A name read anywhere (the package, the tests, the benchmark, the scripts, the container's files) is known,
    and each tooling name is read somewhere: no warning for the project's own settings, no stale entry."""
    pattern = re.compile(rf"{ENV_PREFIX}[A-Z0-9_]*[A-Z0-9]")
    found: set[str] = set()
    places = ["picks_export", "tests", "bench", "scripts", ".ci", "Dockerfile", "docs", "README.md"]
    for place in places:
        root = ROOT / place
        for file in [root] if root.is_file() else root.rglob("*"):
            if file == Path(__file__) or "node_modules" in file.parts:  # this file's misspellings are on purpose
                continue
            if file.is_file() and file.suffix in {"", ".py", ".sh", ".md", ".toml", ".yaml", ".yml"}:
                found.update(pattern.findall(file.read_text(encoding="utf-8", errors="replace")))
    found.discard("PICKS_EXPORT_COMPLETE")  # Typer's completion variable, _PICKS_EXPORT_COMPLETE
    assert found - KNOWN_NAMES == set()
    assert TOOLING_NAMES <= found


def test_a_misspelt_setting_is_named_with_its_likely_spelling():
    environ = {
        "PICKS_EXPORT_DATSET": "prod",
        "PICKS_EXPORT_ALLMODELS": "1",
        "PICKS_EXPORT_BUILD_WORKER": "2",
        "PICKS_EXPORT_SOMETHING_ELSE": "1",
        "PICKS_EXPORT_DEST": "public",  # known
        "PICKS_EXPORT_EXPECT_INSTALLED": "1",  # the test suite's own
        "OTHER_TOOL_DATSET": "x",  # not ours
    }
    assert unknown_names(environ) == [
        ("PICKS_EXPORT_ALLMODELS", "PICKS_EXPORT_ALL_MODELS"),
        ("PICKS_EXPORT_BUILD_WORKER", "PICKS_EXPORT_BUILD_WORKERS"),
        ("PICKS_EXPORT_DATSET", "PICKS_EXPORT_DATASET"),
        ("PICKS_EXPORT_SOMETHING_ELSE", None),
    ]
    assert unknown_names({name: "1" for name in KNOWN_NAMES}) == []


def test_a_run_warns_of_each_unknown_setting_and_goes_on(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    env = {"SOURCE_DATE_EPOCH": "1770478200"}
    assert runner.invoke(app, ["demo", "--warehouse", str(warehouse), "--today", "2025-11-05"], env=env).exit_code == 0
    args = ["daily", "--warehouse", str(warehouse), "--dest", str(tmp_path / "site"), "--today", "2025-11-05"]
    result = runner.invoke(app, args, env={**env, "PICKS_EXPORT_DATSET": "x", "PICKS_EXPORT_ZZZ": "1"})
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        "Warning: PICKS_EXPORT_DATSET is not a picks-export setting (did you mean PICKS_EXPORT_DATASET?): ignored",
        "Warning: PICKS_EXPORT_ZZZ is not a picks-export setting: ignored",
    ]
    logged = runner.invoke(app, [*args, "--log-format", "json"], env={**env, "PICKS_EXPORT_DATSET": "x"})
    assert logged.exit_code == 0, logged.output
    first = orjson.loads(logged.stderr.splitlines()[0])
    assert first["severity"] == "WARNING" and first["setting"] == "PICKS_EXPORT_DATSET"
    quiet = runner.invoke(app, args, env=env)
    assert quiet.exit_code == 0 and "not a picks-export setting" not in quiet.stderr
