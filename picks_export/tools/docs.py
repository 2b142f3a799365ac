"""The generated reference pages: docs/files.md (every published file's fields, from the JSON Schemas) and
docs/cli.md (every command's usage, help, exit codes and options, and the exit codes' table, from the command
line's code).

`python -m picks_export.tools.docs [FOLDER]` (default docs/) rewrites both; tests/test_docs.py fails when a
committed page is not what the code gives.
"""

from __future__ import annotations

import copy
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


CLI_HEADER = """# Command-line reference

Generated from the command line's code (`picks_export/cli/`) by `python -m picks_export.tools.docs`; do not edit.
It is what `picks-export COMMAND --help` prints, with every option's environment variable and default in columns
(and the options `--help` hides). An option on the command line wins over its environment variable.
`python -m picks_export` is the same tool as `picks-export`. How to use them: the [operator's guide](operator.md),
[regenerating](regenerating.md) and the [frontend guide](frontend.md).
"""


def _markdown(text: str) -> str:
    """Help text as Markdown: a `\\b` paragraph (click's "keep these lines") as a block, the others as prose."""
    blocks = []
    for paragraph in text.strip().split("\n\n"):
        if paragraph.startswith("\b\n"):
            blocks.append("```text\n" + "\n".join(line.rstrip() for line in paragraph[2:].splitlines()) + "\n```")
        else:
            blocks.append(" ".join(paragraph.split()).replace("<", "&lt;").replace("*", "\\*"))
    return "\n\n".join(blocks)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def _param_row(param: Any, ctx: Any) -> tuple[str, str]:
    """A parameter's table row, and its panel: its names, env variable, default and help, as --help shows them."""
    shown = copy.copy(param)
    shown.hidden, shown.help = False, None  # the record of a help-less copy is only the bracket of its extras
    names, extras = shown.get_help_record(ctx) or (param.name, "")
    env, default, notes = "", "", []
    for extra in extras.strip().removeprefix("[").removesuffix("]").split("; ") if extras.strip() else []:
        if extra.startswith("env var: "):
            env = f"`{extra.removeprefix('env var: ')}`"
        elif extra.startswith("default: "):
            default = f"`{extra.removeprefix('default: ')}`"
        else:
            notes.append(extra)
    meaning = " ".join((param.help or "").split()) + "".join(f" ({note})" for note in notes)
    if getattr(param, "hidden", False):
        meaning += " (not listed by --help)"
    row = f"| `{_cell(names)}` | {env} | {_cell(default)} | {_cell(meaning.strip())} |"
    return row, getattr(param, "rich_help_panel", None) or (
        "Arguments" if param.param_type_name == "argument" else "Options"
    )


def _command(command: Any, ctx: Any, exits: dict[str, dict[int, str]]) -> list[str]:
    """One command's section: usage, help, its exit codes and its parameters by panel (argument, options, groups
    of options). A command's declared exits replace the help's "Exit codes:" paragraph by a table."""
    from picks_export.cli.root import PANELS

    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    own = exits.get(ctx.command_path.removeprefix("picks-export").strip())
    help = command.help or ""
    if own is not None:
        help = "\n\n".join(each for each in help.split("\n\n") if not each.startswith("Exit codes: "))
    parts = [f"## `{ctx.command_path}`", f"```text\nUsage: {usage}\n```", _markdown(help)]
    if own is not None:
        parts.append("Exit codes:\n\n" + _exit_table(own))
    panels: dict[str, list[str]] = {}
    for param in command.params:
        row, panel = _param_row(param, ctx)
        panels.setdefault(panel, []).append(row)
    order = ["Arguments", *PANELS]  # as --help lists them (root.Command); a group it does not know last
    for panel, rows in sorted(panels.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99):
        parts.append(
            f"{panel}:\n\n| {'argument' if panel == 'Arguments' else 'option'} | env variable | default | meaning |\n"
            + "|---|---|---|---|\n"
            + "\n".join(rows)
        )
    return parts


def _commands(command: Any, ctx: Any, exits: dict[str, dict[int, str]]) -> list[list[str]]:
    """Every command under `command`, depth first in the order --help lists them, the group itself first."""
    sections = [_command(command, ctx, exits)]
    for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
        sub = command.get_command(ctx, name)
        sections += _commands(sub, sub.context_class(sub, info_name=name, parent=ctx), exits)
    return sections


def _exit_table(exits: dict[int, str]) -> str:
    rows = ["| code | meaning |", "|---|---|"]
    for code, meaning in exits.items():
        if meaning.startswith("/ "):  # "130: / 143 interrupted ...": two codes in one entry
            other, meaning = meaning[2:].split(" ", 1)
            rows.append(f"| {code} / {other} | {_cell(meaning)} |")
        else:
            rows.append(f"| {code} | {_cell(meaning)} |")
    return "\n".join(rows)


def _exit_codes(exits: dict[int, str]) -> str:
    return (
        "## Exit codes\n\nFrom `EXITS` in `picks_export/cli/root.py`; each command's section lists those it can end"
        " with (`COMMAND_EXITS`), and [When a run fails](operator.md#when-a-run-fails) what falls under each.\n\n"
        + _exit_table(exits)
        + "\n"
    )


def render_cli() -> str:
    import typer.main

    from picks_export.cli.process import load_commands
    from picks_export.cli.root import COMMAND_EXITS, EXITS

    group = typer.main.get_command(load_commands())  # every command registered, and so its exits declared
    ctx = group.context_class(group, info_name="picks-export", terminal_width=100, max_content_width=100, color=False)
    sections = _commands(group, ctx, COMMAND_EXITS)
    index = "\n".join(f"- [{section[0][3:]}](#{_slug(section[0][3:])})" for section in sections)
    body = "\n\n".join("\n\n".join(section) + "\n" for section in sections)
    return "\n".join([CLI_HEADER, "- [Exit codes](#exit-codes)\n" + index + "\n", _exit_codes(EXITS), body])


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(each for each in heading.lower() if each.isalnum() or each in " -_")
    return kept.replace(" ", "-")


PAGES = {"files.md": render, "cli.md": render_cli}


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs")
    for name, page in PAGES.items():
        (folder / name).write_text(page(), encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
