"""The compiled validator (jsonschema-rs) accepts and refuses exactly what the reference validator does."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from picks_export.exporters.layout import kind_of_path
from picks_export.exporters.validation import SCHEMA_FILES, json_path, problems, schema_text

GOLDEN = Path(__file__).parent / "golden" / "daily-2025-11-05"
REPLACEMENTS: list[Any] = [None, "x", -1, 1.5, True, [], {}]


def golden_documents() -> list[tuple[str, Any]]:
    return [(path.name, orjson.loads(path.read_bytes())) for path in sorted(GOLDEN.rglob("*.json"))]


def places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and index path in a document (the first group, date and pick of each list only)."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from places(value, (*path, key))
    elif isinstance(node, list) and node:
        yield from places(node[0], (*path, 0))


def mutations(document: Any) -> Iterator[Any]:
    for path in list(places(document))[1:]:
        for replacement in REPLACEMENTS:
            changed = copy.deepcopy(document)
            parent = changed
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = replacement
            yield changed
        if isinstance(path[-1], str):
            dropped = copy.deepcopy(document)
            parent = dropped
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
            yield dropped
            parent["extra_field"] = 1
            yield dropped


@pytest.mark.parametrize(
    ("name", "document"), golden_documents(), ids=lambda value: value if isinstance(value, str) else ""
)
def test_compiled_and_reference_validators_agree(name, document):
    kind = (
        kind_of_path(f"v1/picks/{name}")
        or kind_of_path(f"v1/subsets/{name}")
        or kind_of_path(f"v1/subsets/seasons/{name}")
    )
    assert kind in SCHEMA_FILES
    schema = orjson.loads(schema_text(kind))
    reference = jsonschema.validators.validator_for(schema)(schema)
    assert reference.is_valid(document) and problems(kind, document, name) == []
    checked = refused = 0
    for changed in mutations(document):
        expected = reference.is_valid(changed)
        assert (problems(kind, changed, name) == []) == expected, orjson.dumps(changed)[:300]
        checked += 1
        refused += not expected
    assert checked > 50 and refused > checked // 2


def test_json_paths_name_keys_and_indexes():
    assert json_path(["groups", 0, "picks", 12, "line"]) == "$.groups[0].picks[12].line"
    assert json_path([]) == "$"
