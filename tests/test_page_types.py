"""tsc --strict checks the reference page's script against the declarations generated from the schemas.

test_types.py runs web/tsconfig.json as it is; here: it does cover page.js, and a page that misreads a field of
a published file (or forgets that a value can be null) fails the check.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_types import ROOT, TSC, WEB, _require_node, run

PAGE = ROOT / "picks_export" / "page" / "page.js"


@pytest.fixture(autouse=True)
def node() -> None:
    _require_node()


def test_the_check_covers_the_pages_script():
    listed = run(TSC, "-p", WEB / "tsconfig.json", "--listFilesOnly")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    files = {Path(line).resolve() for line in listed.stdout.splitlines() if line.strip()}
    assert PAGE.resolve() in files
    assert (ROOT / "picks_export" / "schemas" / "types" / "picks-export.d.ts").resolve() in files


def _checked_copy(tmp_path: Path, original: str, replacement: str):
    """tsc over a copy of the repository's web/, page and declarations, with one edit made to page.js."""
    for relative in ("web/tsconfig.json", "picks_export/schemas/types/picks-export.d.ts"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    source = PAGE.read_text()
    assert source.count(original) >= 1, original
    (tmp_path / "picks_export" / "page").mkdir(parents=True)
    (tmp_path / "picks_export" / "page" / "page.js").write_text(source.replace(original, replacement))
    return run(TSC, "-p", tmp_path / "web" / "tsconfig.json", cwd=tmp_path)


@pytest.mark.parametrize(
    ("original", "replacement", "error"),
    [
        # A field the files do not have.
        ("text: pick.player,", "text: pick.playerName,", "playerName"),
        # `actual` is null until graded: formatting it without the null check must not pass.
        ('pick.actual === null ? "—" : String(pick.actual)', "pick.actual.toFixed(0)", "pick.actual"),
        # A record's pct is null when nothing was won or lost.
        ("formatPct(tally.pct)", "tally.pct.toFixed(1)", "tally.pct"),
    ],
)
def test_a_page_that_misreads_the_files_fails_the_check(tmp_path, original, replacement, error):
    unchanged = _checked_copy(tmp_path / "same", "", "")
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    checked = _checked_copy(tmp_path / "edited", original, replacement)
    assert checked.returncode != 0
    assert error in checked.stdout and "page.js" in checked.stdout, checked.stdout
