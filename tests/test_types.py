"""The TypeScript declarations of the published files: generated from the schemas by the pinned
json-schema-to-typescript (web/), committed, shipped in the package, and type-checked by the pinned tsc.

Needs Node.js and `npm ci --prefix web` (scripts/test.sh runs it); without them these tests are skipped, except
under CI=true where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from picks_export.exporters.validation import types_text

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
COMMITTED = ROOT / "picks_export" / "schemas" / "types" / "picks-export.d.ts"
GOLDEN = ROOT / "tests" / "golden" / "daily-2025-11-05" / "v1"
TSC = WEB / "node_modules" / ".bin" / "tsc"


def _require_node() -> None:
    missing = [
        what
        for what, ok in (("node", shutil.which("node")), ("web/node_modules (npm ci --prefix web)", TSC.exists()))
        if not ok
    ]
    if missing:
        reason = f"TypeScript checks need {' and '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (required under CI=true)")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def node() -> None:
    _require_node()


def run(*args: str | Path, cwd: Path = WEB) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_committed_declarations_are_what_the_schemas_generate(tmp_path):
    generated = run("node", WEB / "gen-types.mjs", tmp_path / "picks-export.d.ts")
    assert generated.returncode == 0, generated.stderr
    assert (tmp_path / "picks-export.d.ts").read_bytes() == COMMITTED.read_bytes(), (
        "picks_export/schemas/types/picks-export.d.ts is out of date: run `npm run --prefix web types` and commit it"
    )
    assert types_text() == COMMITTED.read_bytes()  # the installed package ships the committed file


def test_declarations_and_the_pages_scripts_pass_tsc_strict():
    checked = run(TSC, "-p", WEB / "tsconfig.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = orjson.loads((WEB / "tsconfig.json").read_bytes())
    assert config["compilerOptions"]["strict"] is True and config["compilerOptions"]["noEmit"] is True


def _check(tmp_path: Path, documents: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """tsc --strict over a module that assigns each document (JSON) to its declared type."""
    shutil.copy(COMMITTED, tmp_path / "picks-export.d.ts")
    names = sorted({name for name in documents})
    lines = [f'import type {{ {", ".join(sorted({name.split(":")[0] for name in names}))} }} from "./picks-export";']
    lines += [
        f"export const value{number}: {name.split(':')[0]} = {orjson.dumps(documents[name]).decode()};"
        for number, name in enumerate(names)
    ]
    (tmp_path / "check.ts").write_text("\n".join(lines) + "\n")
    options = {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",
        "types": [],
    }
    (tmp_path / "tsconfig.json").write_bytes(orjson.dumps({"compilerOptions": options, "files": ["check.ts"]}))
    return run(TSC, "-p", tmp_path / "tsconfig.json", cwd=tmp_path)


def test_the_published_files_are_values_of_their_declared_types(tmp_path):
    documents = {
        "PicksDay:today": orjson.loads((GOLDEN / "picks/2025-11-05.json").read_bytes()),
        "PicksDay:yesterday": orjson.loads((GOLDEN / "picks/2025-11-04.json").read_bytes()),
        "SeasonFile:": orjson.loads((GOLDEN / "subsets/seasons/2025-26.json").read_bytes()),
        "PicksIndex:": orjson.loads((GOLDEN / "picks/index.json").read_bytes()),
        "Manifest:": orjson.loads((GOLDEN / "manifest.json").read_bytes()),
    }
    checked = _check(tmp_path, documents)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("name", "change", "error"),
    [
        ("PicksDay:", lambda doc: doc["groups"][0]["picks"][0].update(result="win"), "TS2322"),
        ("PicksDay:", lambda doc: doc["groups"][0].pop("record"), "TS2741"),
        ("PicksIndex:", lambda doc: doc["dates"][0].update(internal_score=3), "TS2353"),
        ("Manifest:", lambda doc: doc.update(default_model=7), "TS2322"),
    ],
)
def test_a_document_off_its_type_fails_the_check(tmp_path, name, change, error):
    path = {"PicksDay:": "picks/2025-11-04.json", "PicksIndex:": "picks/index.json", "Manifest:": "manifest.json"}[name]
    document = orjson.loads((GOLDEN / path).read_bytes())
    change(document)
    checked = _check(tmp_path, {name: document})
    assert checked.returncode != 0 and error in checked.stdout, checked.stdout + checked.stderr
