"""The docs follow the code: every schema property described, a real example per file that its schema accepts,
docs/files.md and docs/cli.md generated from the schemas and the command line and up to date, every option and
exit code in the reference, every relative link between the pages leading somewhere, and a short README."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from picks_export.exporters.validation import SCHEMA_FILES, problems, schema_text
from picks_export.tools.docs import render, render_cli

ROOT = Path(__file__).resolve().parents[1]
FILES_MD = ROOT / "docs" / "files.md"
CLI_MD = ROOT / "docs" / "cli.md"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def properties(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema anywhere in a schema, with where it is."""
    if isinstance(node, dict):
        for name, field in node.get("properties", {}).items():
            yield f"{path}.{name}", field
        for key, value in node.items():
            if key != "examples":
                yield from properties(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from properties(value, path)


@pytest.mark.parametrize("kind", list(SCHEMA_FILES))
def test_every_property_and_definition_is_described_and_the_schema_has_id_title_and_an_example(kind):
    schema = orjson.loads(schema_text(kind))
    assert schema["$id"] == SCHEMA_FILES[kind] and schema["title"] and schema["description"]
    undescribed = [path for path, field in properties(schema) if len(field.get("description", "")) < 10]
    assert undescribed == []
    assert all(each.get("title") and each.get("description") for each in schema["$defs"].values())
    (example,) = schema["examples"]
    assert problems(kind, example, f"example of {kind}") == []
    jsonschema.Draft202012Validator(schema).validate(example)  # the reference validator agrees


def test_an_example_that_breaks_its_schema_is_caught():
    schema = orjson.loads(schema_text("day"))
    example = schema["examples"][0]
    example["groups"][0]["picks"][0]["result"] = "win"
    assert problems("day", example, "example")


def test_docs_files_md_is_what_the_schemas_generate():
    assert FILES_MD.read_text(encoding="utf-8") == render(), (
        "docs/files.md is out of date: run `python -m picks_export.tools.docs` (in .venv) and commit it"
    )
    for kind in SCHEMA_FILES:
        assert orjson.loads(schema_text(kind))["title"] in render()


def test_the_docs_command_writes_the_pages(tmp_path):
    ran = subprocess.run(
        [sys.executable, "-m", "picks_export.tools.docs", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # the installed package, not the source tree
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "files.md").read_text(encoding="utf-8") == render()
    assert (tmp_path / "cli.md").read_text(encoding="utf-8") == render_cli()


def test_docs_cli_md_is_what_the_command_line_generates():
    assert CLI_MD.read_text(encoding="utf-8") == render_cli(), (
        "docs/cli.md is out of date: run `python -m picks_export.tools.docs` (in .venv) and commit it"
    )


def test_the_cli_reference_does_not_depend_on_the_terminal(monkeypatch):
    """Same page whatever the terminal's width or colour settings."""
    page = render_cli()
    for name, value in {"COLUMNS": "40", "TERM": "xterm-256color", "FORCE_COLOR": "1", "LINES": "10"}.items():
        monkeypatch.setenv(name, value)
    assert render_cli() == page and "\x1b[" not in page


def _sections(page: str) -> dict[str, str]:
    """The reference's sections by command path (`picks-export bucket cors`)."""
    parts = re.split(r"^## `(picks-export[^`]*)`$", page, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_cli_reference_has_every_command_and_option_with_its_environment_variable():
    """Each command, and each of its options (hidden ones too) with its env variable on the same row."""
    import typer.main

    from picks_export.cli import app

    sections = _sections(CLI_MD.read_text(encoding="utf-8"))

    def check(command, path: str) -> None:
        rows = sections[path].splitlines()
        for param in command.params:
            if param.param_type_name == "argument":
                assert any(row.startswith(f"| `{param.human_readable_name}") for row in rows), (path, param.name)
                continue
            (row,) = [
                row
                for row in rows
                if row.startswith("| `") and param.opts[0] in re.split(r"[ ,/`]+", row.split("|")[1])
            ]
            assert all(opt in row for opt in param.opts + param.secondary_opts), (path, row)
            if param.envvar:
                assert f"`{param.envvar}`" in row, (path, row)
        for name, sub in getattr(command, "commands", {}).items():
            check(sub, f"{path} {name}")

    group = typer.main.get_command(app)
    check(group, "picks-export")
    assert len(sections) >= 15
    daily = sections["picks-export daily"]
    assert "--today DATE" in daily and "`PICKS_EXPORT_TODAY`" in daily  # hidden from --help, not from the reference


def test_the_cli_reference_lists_every_exit_code():
    from picks_export.cli import EXITS

    table = CLI_MD.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code, meaning in EXITS.items():
        assert re.search(rf"^\| {code}( / \d+)? \| ", table, re.M), code
        assert meaning.split()[-1] in table


def test_the_cli_reference_lists_each_commands_own_exit_codes():
    """Each command's section has a table of exactly the exits it declares, with its own meanings."""
    from picks_export.cli.process import load_commands
    from picks_export.cli.root import COMMAND_EXITS

    load_commands()
    sections = _sections(CLI_MD.read_text(encoding="utf-8"))
    assert set(COMMAND_EXITS) == {path.removeprefix("picks-export ") for path in sections} - {"picks-export", "bucket"}
    for path, exits in COMMAND_EXITS.items():
        section = sections[f"picks-export {path}"]
        assert "Exit codes: " not in section, path  # the help's paragraph, replaced by the table
        table = section.split("Exit codes:\n\n", 1)[1].split("\n\n", 1)[0]
        codes = [int(code) for code in re.findall(r"^\| (\d+)", table, re.M)]
        assert codes == list(exits), (path, codes)
        for code, meaning in exits.items():
            assert re.search(rf"^\| {code}( / \d+)? \| .*{re.escape(meaning.split()[-1])} \|$", table, re.M), (
                path,
                code,
            )
    assert "the destination could not be read" in sections["picks-export status"]
    assert "| 8 |" in sections["picks-export daily"] and "| 8 |" not in sections["picks-export backfill"]


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page: each heading's slug (numbered when repeated) and each `<a id>`."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    found: set[str] = set(re.findall(r'<a id="([^"]+)"', text))
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} (.+?)\s*$", text, re.M):
        slug = "".join(c for c in heading.lower() if c.isalnum() or c in " -_").replace(" ", "-")
        found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_leads_to_a_file_and_its_anchor(page):
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    broken = []
    for link in links:
        if re.match(r"[a-z]+:", link):  # https:, mailto:
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(link)
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(link)
    assert broken == []


def test_the_pages_link_each_other():
    links = [re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")) for page in PAGES]
    assert sum(map(len, links)) > 50


def test_the_link_check_sees_a_broken_link_and_a_broken_anchor(tmp_path):
    (tmp_path / "a.md").write_text("# Title\n\n## Two words\n\n[ok](#two-words) [missing](b.md)\n")
    assert _anchors(tmp_path / "a.md") == {"title", "two-words"}
    with pytest.raises(AssertionError):
        test_every_relative_link_leads_to_a_file_and_its_anchor(tmp_path / "a.md")


def test_the_readme_is_short_links_every_page_and_shows_the_command_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == "bash scripts/test.sh" and f"{ci}   #" in readme
    for page in PAGES[1:]:
        assert f"(docs/{page.name})" in readme, page.name
