"""The schemas document the files: every property described, a real example per file that its schema accepts,
and docs/files.md generated from them and up to date."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from picks_export.exporters.validation import SCHEMA_FILES, problems, schema_text
from picks_export.tools.docs import render

FILES_MD = Path(__file__).resolve().parents[1] / "docs" / "files.md"


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


def test_the_docs_command_writes_the_page(tmp_path):
    out = tmp_path / "files.md"
    ran = subprocess.run([sys.executable, "-m", "picks_export.tools.docs", str(out)], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert out.read_text(encoding="utf-8") == render()
