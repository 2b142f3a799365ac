"""The breaking-change guard: what in a schema edit could break a reader of files published under the same prefix.

Compares a released schema with the current one over the subset of JSON Schema this project uses (type, properties,
required, enum, const, items, additionalProperties, $ref/$defs, anyOf/oneOf with null, minimum/maximum,
minLength/maxLength, pattern, format). Breaking: a removed or renamed property, a property becoming required or
optional, any change of a value's types (nullable added or removed included), an enum value removed or added (a
reader's exhaustive handling), a changed const, tightened additionalProperties, narrower bounds (an integer without
a bound counting as bounded by the largest integer JSON readers exchange exactly, 2**53 - 1) or a new or changed
pattern or format. Annotations (title, description, examples, $comment) never break. A keyword outside the subset is
reported too, so that the guard never passes what it cannot judge.

`python -m picks_export.exporters.schema_guard` compares the package's schemas with its released v1 copies.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib import resources
from typing import Any

import orjson

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "default", "$defs"}
CHECKED = {
    "type",
    "properties",
    "required",
    "enum",
    "const",
    "items",
    "additionalProperties",
    "$ref",
    "anyOf",
    "oneOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
}
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
# JSON readers exchange integers exactly only within +-(2**53 - 1) (RFC 7493, I-JSON): an integer without a bound
# is read as bounded there, so a bound at or beyond it narrows nothing a reader could rely on.
EXACT_INTEGER = 2**53 - 1
_INTEGER_BOUNDS = {"minimum": -EXACT_INTEGER, "maximum": EXACT_INTEGER}
_MISSING = object()


def breaking_changes(released: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Every change from `released` to `current` that can break a reader, as `$.json.path: what` lines."""
    return list(_compare(released, released, current, current, "$", set()))


def _resolve(root: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s (`#/$defs/name`) to the node they name."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen or not isinstance(ref, str) or not ref.startswith("#/"):
            raise ValueError(f"unsupported $ref {ref!r}")
        seen.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _shape(root: dict[str, Any], node: Any) -> tuple[frozenset[str], dict[str, Any]]:
    """(the value's JSON types, the schema of its non-null part) with anyOf/oneOf of a schema and null folded in."""
    node = _resolve(root, node)
    if not isinstance(node, dict):
        return frozenset({"any"} if node is True else set()), {}
    branches = node.get("anyOf", node.get("oneOf"))
    if branches is None:
        declared = node.get("type")
        return frozenset([declared] if isinstance(declared, str) else declared or ["any"]), node
    types: set[str] = set()
    rest = []
    for branch in branches:
        branch_types, branch_node = _shape(root, branch)
        types |= branch_types
        if branch_types != {"null"}:
            rest.append(branch_node)
    return frozenset(types), rest[0] if len(rest) == 1 else {"anyOf": rest}


def _compare(
    old_root: dict, old: Any, new_root: dict, new: Any, path: str, seen: set[tuple[int, int]]
) -> Iterator[str]:
    key = (id(_resolve(old_root, old)), id(_resolve(new_root, new)))
    if key in seen:  # recursive definitions: each pair once
        return
    seen.add(key)
    old_types, old = _shape(old_root, old)
    new_types, new = _shape(new_root, new)
    for unknown in sorted(set(new) - CHECKED - ANNOTATIONS):
        yield f"{path}: keyword {unknown!r} is not one the guard can judge"
    if old_types != new_types:
        yield f"{path}: type changed from {sorted(old_types)} to {sorted(new_types)}"
    yield from _compare_values(old, new, path, _INTEGER_BOUNDS if old_types == {"integer"} else {})
    yield from _compare_objects(old_root, old, new_root, new, path, seen)
    if "items" in old or "items" in new:
        yield from _compare(old_root, old.get("items", True), new_root, new.get("items", True), f"{path}[]", seen)


def _compare_values(old: dict[str, Any], new: dict[str, Any], path: str, implicit: dict[str, int]) -> Iterator[str]:
    if "enum" in old or "enum" in new:
        old_values, new_values = old.get("enum"), new.get("enum")
        if old_values is None or new_values is None:
            yield f"{path}: enum {'added' if old_values is None else 'removed'}"
        else:
            for value in old_values:
                if value not in new_values:
                    yield f"{path}: enum value {value!r} removed"
            for value in new_values:
                if value not in old_values:
                    yield f"{path}: enum value {value!r} added (a reader may not handle it)"
    if old.get("const", _MISSING) != new.get("const", _MISSING):
        yield f"{path}: const changed"
    for name in LOWER_BOUNDS:
        released = old.get(name, implicit.get(name))
        if name in new and (released is None or new[name] > released):
            yield f"{path}: {name} narrowed to {new[name]}"
    for name in UPPER_BOUNDS:
        released = old.get(name, implicit.get(name))
        if name in new and (released is None or new[name] < released):
            yield f"{path}: {name} narrowed to {new[name]}"
    for name in ("pattern", "format"):
        if name in new and new[name] != old.get(name):
            yield f"{path}: {name} {'changed' if name in old else 'added'}: {new[name]!r}"


def _compare_objects(old_root: dict, old: dict, new_root: dict, new: dict, path: str, seen: set) -> Iterator[str]:
    old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, schema in old_properties.items():
        where = f"{path}.{name}"
        if name not in new_properties:
            yield f"{where}: property removed or renamed"
            continue
        if name in old_required and name not in new_required:
            yield f"{where}: no longer required (a reader may find it missing)"
        yield from _compare(old_root, schema, new_root, new_properties[name], where, seen)
    for name in sorted(new_required - old_required):
        yield f"{path}.{name}: became required"
    old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
    if old_extra is not False and new_extra is False:
        yield f"{path}: additionalProperties tightened to false"
    elif isinstance(old_extra, dict) and isinstance(new_extra, dict):
        yield from _compare(old_root, old_extra, new_root, new_extra, f"{path}{{*}}", seen)
    elif old_extra is True and isinstance(new_extra, dict):
        yield f"{path}: additionalProperties narrowed to a schema"


def released_pairs(version: str = "v1") -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(file name, released schema, current schema) for every schema released under `version`."""
    schemas = resources.files("picks_export").joinpath("schemas", "json")
    for released in sorted(schemas.joinpath("released", version).iterdir(), key=lambda each: each.name):
        if released.name.endswith(".schema.json"):
            current = schemas.joinpath(released.name)
            if not current.is_file():
                yield released.name, orjson.loads(released.read_bytes()), {}
                continue
            yield released.name, orjson.loads(released.read_bytes()), orjson.loads(current.read_bytes())


def main(argv: list[str] | None = None) -> int:
    found = 0
    for name, released, current in released_pairs():
        changes = ["$: the schema was removed"] if not current else breaking_changes(released, current)
        for change in changes:
            print(f"{name}: {change}")
        found += len(changes)
    if found:
        print(f"{found} breaking changes against the released v1 schemas: publish them under a new prefix (v2/)")
        return 1
    print("no breaking change against the released v1 schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
