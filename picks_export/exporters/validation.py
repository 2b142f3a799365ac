"""The validation gate: every document is checked against its JSON Schema before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, cast

import jsonschema_rs
import orjson

from .common import unusable_path
from .documents import Document, Kind
from .errors import ExportError, InvalidDocumentError
from .kinds import KIND, schema_files
from .kinds import kind_of_path as published_kind
from .publish import RUNS_FOLDER

# The kinds of document checked against a JSON Schema, and its file (`schemas/json/`), from the table of kinds.
SCHEMA_FILES: dict[Kind, str] = cast("dict[Kind, str]", schema_files())

# The TypeScript declarations of every file, generated from the schemas (web/gen-types.mjs), published beside them.
TYPES_FILE = "picks-export.d.ts"


class Problem(NamedTuple):
    """One schema error: where in which document, and what (a named tuple: cheaper to create at start-up than a
    dataclass)."""

    source: str
    json_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.json_path}: {self.message}"


def schema_text(kind: Kind) -> bytes:
    return resources.files("picks_export").joinpath("schemas", "json", SCHEMA_FILES[kind]).read_bytes()


def types_text() -> bytes:
    return resources.files("picks_export").joinpath("schemas", "types", TYPES_FILE).read_bytes()


@cache
def _validator(kind: Kind) -> jsonschema_rs.Validator:
    # A compiled validator (jsonschema-rs): validating every document of a season costs milliseconds, not
    # seconds. The draft comes from the schema's own `$schema`; building the validator checks the schema.
    return jsonschema_rs.validator_for(orjson.loads(schema_text(kind)))


def json_path(path: Iterable[str | int]) -> str:
    """`$.groups[0].picks[2].line` from an error's instance path."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def problems(kind: Kind, content: Any, source: str) -> list[Problem]:
    """Every way `content` breaks the schema of `kind`, in a stable order."""
    validator = _validator(kind)
    if validator.is_valid(content):
        return []
    errors = sorted(
        validator.iter_errors(content), key=lambda error: (list(map(str, error.instance_path)), error.message)
    )
    return [Problem(source, json_path(error.instance_path), error.message) for error in errors]


def check_document(document: Document) -> None:
    """Raise if the document breaks its schema, naming its path, the JSON path and the error."""
    found = problems(document.kind, document.content, document.path)
    if found:
        more = f" ({len(found) - 1} more errors in that document)" if len(found) > 1 else ""
        raise InvalidDocumentError(f"invalid document, nothing written: {found[0]}{more}")


def kind_of_path(path: str) -> Kind | None:
    """The kind of document at `path` when it is one checked against a schema; None for any other file."""
    kind = published_kind(path)
    return cast("Kind", kind) if kind is not None and KIND[kind].schema is not None else None


def validate_paths(paths: Iterable[Path]) -> tuple[int, list[Problem]]:
    """Validate published files, or folders of them; returns (files checked, problems).

    A path that does not exist is an ExportError (a mistyped argument, not an invalid file). In a folder, a
    folder named like a published file is not one; a file that cannot be read (a dangling link) is a problem.
    """
    paths = list(paths)
    for path in paths:
        if (why := unusable_path(path)) is not None:
            raise ExportError(f"{path}: {why}")
        if not path.exists() and not path.is_symlink():
            raise ExportError(f"{path}: no such file or folder")
    checked = 0
    found: list[Problem] = []
    for path in paths:
        if path.is_dir():
            # Dot-files and dot-folders are never published: staged files, the folder sink's lock and records.
            files = sorted(
                file
                for file in path.rglob("*.json")
                if kind_of_path(file.as_posix())
                and not file.is_dir()
                and not any(part.startswith(".") for part in file.relative_to(path).parts)
                and file.relative_to(path).parts[0] != RUNS_FOLDER  # run records and replaced bytes, not published
            )
        else:
            files = [path]
        for file in files:
            checked += 1
            kind = kind_of_path(file.as_posix())
            if kind is None:
                found.append(
                    Problem(
                        str(file),
                        "$",
                        "not a published file (picks/YYYY-MM-DD.json, picks/index.json, subsets/... or manifest.json)",
                    )
                )
                continue
            try:
                content = orjson.loads(file.read_bytes())
            except orjson.JSONDecodeError as error:
                found.append(Problem(str(file), "$", f"not JSON: {error}"))
                continue
            except OSError as error:
                found.append(Problem(str(file), "$", f"cannot read: {error.strerror or error}"))
                continue
            found.extend(problems(kind, content, str(file)))
    return checked, found
