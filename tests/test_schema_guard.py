"""The breaking-change guard: the current schemas against the released v1 ones, and a table of schema edits that
must pass (additive, optional, annotations) or fail (anything a reader of v1 files could trip on)."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from picks_export.exporters.schema_guard import breaking_changes, released_pairs

Schema = dict[str, Any]


def test_current_schemas_break_no_reader_of_the_released_v1_ones():
    pairs = list(released_pairs())
    assert [name for name, _, _ in pairs] == [
        "manifest.schema.json",
        "picks-day.schema.json",
        "picks-index.schema.json",
        "season.schema.json",
        "status.schema.json",
    ]
    for name, released, current in pairs:
        assert breaking_changes(released, current) == [], name


def test_the_command_says_ok_or_lists_the_changes():
    ran = subprocess.run([sys.executable, "-m", "picks_export.exporters.schema_guard"], capture_output=True, text=True)
    assert ran.returncode == 0 and "no breaking change" in ran.stdout, ran.stdout + ran.stderr


def day() -> Schema:
    (schema,) = [released for name, released, _ in released_pairs() if name == "picks-day.schema.json"]
    return copy.deepcopy(schema)


def season() -> Schema:
    (schema,) = [released for name, released, _ in released_pairs() if name == "season.schema.json"]
    return copy.deepcopy(schema)


def day_open() -> Schema:
    """The day schema with picks open to more properties: the base of the tightening edit."""
    schema = day()
    schema["$defs"]["pick"].pop("additionalProperties")
    return schema


def pick(schema: Schema) -> Schema:
    return schema["$defs"]["pick"]["properties"]


def edit(change: Callable[[Schema], Any], base: Callable[[], Schema] = day) -> tuple[Schema, Schema]:
    released = base()
    current = copy.deepcopy(released)
    change(current)
    return released, current


# (edit, must break, what the message says)
EDITS: dict[str, tuple[Callable[[Schema], Any], bool, str]] = {
    "description added": (lambda s: pick(s)["line"].update(description="the line"), False, ""),
    "title and examples added": (lambda s: s.update(title="x", examples=[{}]), False, ""),
    "optional property added": (lambda s: pick(s).update(note={"type": "string"}), False, ""),
    "enum value removed": (lambda s: pick(s)["result"]["enum"].remove("dnp"), True, "enum value 'dnp' removed"),
    "enum value added": (lambda s: pick(s)["result"]["enum"].append("void"), True, "enum value 'void' added"),
    "property removed": (lambda s: pick(s).pop("team"), True, ".team: property removed"),
    "property renamed": (lambda s: pick(s).update(club=pick(s).pop("team")), True, ".team: property removed"),
    "new required property": (
        lambda s: (pick(s).update(score={"type": "number"}), s["$defs"]["pick"]["required"].append("score")),
        True,
        "became required",
    ),
    "property becomes optional": (lambda s: s["required"].remove("signal"), True, "no longer required"),
    "type changed": (lambda s: pick(s)["actual"].update(type=["number", "null"]), True, "type changed"),
    "nullable removed": (lambda s: pick(s)["actual"].update(type="integer"), True, "type changed"),
    "nullable added": (lambda s: pick(s)["line"].update(type=["number", "null"]), True, "type changed"),
    "nullable by anyOf, same types": (
        lambda s: pick(s).update(actual={"anyOf": [{"type": "integer"}, {"type": "null"}]}),
        False,
        "",
    ),
    "additionalProperties tightened": (
        lambda s: s["$defs"]["pick"].update(additionalProperties=False),
        True,
        "tightened",
    ),
    "additionalProperties loosened": (lambda s: s["$defs"]["pick"].pop("additionalProperties"), False, ""),
    "minimum raised": (lambda s: pick(s)["line"].update(minimum=1), True, "minimum narrowed"),
    "maximum lowered": (
        lambda s: s["$defs"]["record"]["properties"]["pct"].update(maximum=99),
        True,
        "maximum narrowed",
    ),
    "minimum dropped": (lambda s: pick(s)["line"].pop("minimum"), False, ""),
    "maximum added": (lambda s: pick(s)["line"].update(maximum=100), True, "maximum narrowed"),
    "minLength raised": (lambda s: pick(s)["player"].update(minLength=2), True, "minLength narrowed"),
    "pattern changed": (
        lambda s: s["properties"]["date"].update(pattern="^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"),
        True,
        "pattern changed",
    ),
    "pattern added": (lambda s: pick(s)["team"].update(pattern="^[A-Z]{3}$"), True, "pattern added"),
    "format added": (lambda s: s["properties"]["date"].update(format="date"), True, "format added"),
    "const added": (lambda s: s["properties"]["model"].update(const="926A"), True, "const changed"),
    "items type changed": (lambda s: s["properties"]["groups"].update(items={"type": "string"}), True, "type changed"),
    "change inside a $ref'd definition": (
        lambda s: s["$defs"]["record"]["properties"].pop("pushes"),
        True,
        ".pushes: property removed",
    ),
    "$ref replaced by the same definition inline": (
        lambda s: s["properties"]["groups"].update(items=copy.deepcopy(s["$defs"]["group"])),
        False,
        "",
    ),
    "unsupported keyword": (lambda s: pick(s)["line"].update(multipleOf=0.5), True, "not one the guard can judge"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_each_edit_passes_or_fails_as_the_table_says(name):
    change, breaks, message = EDITS[name]
    found = breaking_changes(*edit(change, day_open if name == "additionalProperties tightened" else day))
    if breaks:
        assert found and any(message in line for line in found), found
    else:
        assert found == []


def test_the_season_records_becoming_non_null_breaks_and_the_path_is_named():
    released, current = edit(lambda s: s["$defs"]["records_or_null"].update(type="object"), season)
    assert breaking_changes(released, current) == [
        "$.groups[].record: type changed from ['null', 'object'] to ['object']"
    ]


def index() -> Schema:
    (schema,) = [released for name, released, _ in released_pairs() if name == "picks-index.schema.json"]
    return copy.deepcopy(schema)


def index_picks(schema: Schema) -> Schema:
    return schema["$defs"]["date"]["properties"]["picks"]


@pytest.mark.parametrize(
    ("bound", "breaks"),
    [(2**53 - 1, False), (2**60, False), (2**53 - 2, True), (100_000, True)],
)
def test_an_integer_maximum_narrows_only_below_the_largest_exact_json_integer(bound, breaks):
    released, current = edit(lambda s: index_picks(s).update(maximum=bound), index)
    assert "maximum" not in index_picks(released)
    found = breaking_changes(released, current)
    assert found == ([f"$.dates[].picks: maximum narrowed to {bound}"] if breaks else [])


def test_a_number_that_may_be_fractional_has_no_implicit_bound():
    released, current = edit(lambda s: pick(s)["line"].update(maximum=2**53 - 1))
    assert breaking_changes(released, current) == [f"$.groups[].picks[].line: maximum narrowed to {2**53 - 1}"]


def test_the_published_index_refuses_a_count_no_reader_holds_exactly():
    from picks_export.exporters.validation import problems

    entry = {"date": "2026-01-01", "picks": 2**53 - 1, "graded": True}
    document = {"generated_at": "2026-01-01T00:00:00Z", "model": "A", "dates": [entry]}
    assert problems("index", document, "v1/picks/index.json") == []
    for figure in (2**53, 1e30):
        assert problems("index", {**document, "dates": [{**entry, "picks": figure}]}, "v1/picks/index.json")
