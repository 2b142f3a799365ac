"""docs/files.md, the field reference of every published file, generated from the JSON Schemas.

`python -m picks_export.tools.docs [OUT]` (default docs/files.md) rewrites it; tests/test_docs.py fails when the
committed page is not what the schemas give.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from picks_export.exporters.parquet import COLUMNS
from picks_export.exporters.validation import SCHEMA_FILES, schema_text

HEADER = """# Published files: field reference

Generated from the JSON Schemas in `picks_export/schemas/json/` by `python -m picks_export.tools.docs`; do not
edit. The rules behind the fields are in [the data contract](contract.md). Paths are under the prefix (`v1/`); a
model other than the default one has the same files under `v1/models/{code}/`. `v1/manifest.json` lists them all.
"""


def _type(node: dict[str, Any], kind: str) -> str:
    """A short type for a table cell: `string or null`, `"OVER" or "UNDER"`, a link to a definition."""
    if "anyOf" in node:
        return " or ".join(_type(branch, kind) for branch in node["anyOf"])
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"[{_TITLES.get((kind, name), name)}](#{_anchor(name)}-{kind})"
    if "enum" in node:
        return " or ".join("null" if value is None else f'`"{value}"`' for value in node["enum"])
    declared = node.get("type", "any")
    types = [declared] if isinstance(declared, str) else list(declared)
    if "array" in types and isinstance(node.get("items"), dict):
        types = [f"array of {_type(node['items'], kind)}" if each == "array" else each for each in types]
    return " or ".join(types)


_TITLES: dict[tuple[str, str], str] = {}  # (kind, definition) -> its title, for links


def _anchor(name: str) -> str:
    return name.lower().replace("_", "-")


def _table(node: dict[str, Any], kind: str) -> list[str]:
    lines = ["| field | type | required | description |", "|---|---|---|---|"]
    required = set(node.get("required", []))
    for name, field in node.get("properties", {}).items():
        description = " ".join(field.get("description", "").split()).replace("|", "\\|")
        lines.append(f"| `{name}` | {_type(field, kind)} | {'yes' if name in required else 'no'} | {description} |")
    return lines


def _nested(node: dict[str, Any], prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """Objects declared inline under a property (the manifest's `schemas`), to get a table of their own."""
    found = []
    for name, field in node.get("properties", {}).items():
        if isinstance(field, dict) and "properties" in field:
            found.append((f"{prefix}.{name}", field))
    return found


SEASON_TABLE = """## Season table (v1/subsets/seasons/{season}.parquet)

Beside each season file: its picks as one Parquet table, one row per pick, in date order, then the groups' display
order, then the order the picks are listed. Content-Type `application/vnd.apache.parquet`; the manifest's season
entry names it (`parquet`). Its columns:
"""
_PARQUET_TYPES = {"string": "STRING", "date32": "DATE", "float64": "DOUBLE", "int64": "INT64"}


def _season_table() -> str:
    lines = ["| column | type | null | description |", "|---|---|---|---|"]
    for name, kind, nullable, description in COLUMNS:
        lines.append(f"| `{name}` | {_PARQUET_TYPES[kind]} | {'yes' if nullable else 'no'} | {description} |")
    return SEASON_TABLE + "\n" + "\n".join(lines) + "\n"


def render() -> str:
    parts = [HEADER]
    for kind, file_name in SCHEMA_FILES.items():
        schema = orjson.loads(schema_text(kind))
        _TITLES.update({(kind, key): each.get("title", key) for key, each in schema.get("$defs", {}).items()})
        parts.append(f"## {schema['title']}\n\n{schema['description']}\n\nSchema: `v1/schemas/{file_name}`.\n")
        parts.append("\n".join(_table(schema, kind)) + "\n")
        for name, field in _nested(schema, "$"):
            parts.append(f"`{name}`: {field.get('description', '')}\n\n" + "\n".join(_table(field, kind)) + "\n")
        for key, definition in schema.get("$defs", {}).items():
            title = definition.get("title", key)
            description = definition.get("description", "")
            parts.append(
                f'### {title}\n<a id="{_anchor(key)}-{kind}"></a>\n\n{description}\n\n'
                + "\n".join(_table(definition, kind))
                + "\n"
            )
    parts.append(_season_table())
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/files.md")
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
