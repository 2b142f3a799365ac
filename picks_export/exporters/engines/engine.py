"""The one small interface every warehouse engine implements, and the SQL templates they share.

Each query is a `.sql` Jinja2 template in `picks_export/queries/`, written in BigQuery Standard SQL. Jinja fills
in identifiers only (checked against a strict pattern first); every value is a bound query parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol


from ..errors import ExportError

if TYPE_CHECKING:
    import jinja2
from ..tables import Rows

# BigQuery dataset names: letters, digits and underscores, at most 1024 characters.
DATASET_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,1023}")
DATASET_RULE = "use letters, digits and underscores only"
# BigQuery project ids: 6 to 30 lowercase letters, digits and hyphens, starting with a letter and not ending with a
# hyphen; the legacy domain-scoped form (example.com:my-project) puts a domain and a colon before one.
_DOMAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PROJECT_PATTERN = re.compile(rf"(?:{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+:)?[a-z][a-z0-9-]{{4,28}}[a-z0-9]")
PROJECT_RULE = (
    "a BigQuery project id is 6 to 30 lowercase letters, digits and hyphens, starts with a letter and does not"
    " end with a hyphen (or example.com:project-id)"
)
DEFAULT_DATASET = "nba_predictions"

QueryValue = str | int | float | bool | dt.date | list[str] | None
Row = dict[str, Any]


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do beyond running queries; the run asks these rather than probing the engine."""

    # The run may release the engine, fork build workers and have each reopen it (`for_worker`). BigQuery's client
    # does not survive a fork; a DuckDB file is simply opened again.
    forked_workers: bool = False
    # The engine can say what a query would scan without running it (`DryRunEngine.dry_run`).
    dry_run: bool = False


class Engine(Protocol):
    """Runs the named query templates against one warehouse dataset."""

    queries_run: int
    dataset: str  # the dataset (DuckDB schema) holding the contract's tables
    capabilities: Capabilities

    def release(self) -> None:
        """Let go of connections until the next query (before build workers are forked); a no-op where the
        engine has no `forked_workers` capability."""

    def for_worker(self, scratch: str) -> None:
        """In a forked build worker: reopen with one thread and a bounded memory, spilling into `scratch`."""

    def query(self, name: str, params: dict[str, QueryValue]) -> Iterator[Row]:
        """Run template `name` with bound `params`; rows as dicts of plain Python values, streamed in batches.

        Consume one result before starting the next query."""

    def query_tuples(self, name: str, params: dict[str, QueryValue]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """Like `query`, for large results: the column names, and the rows as tuples in their order."""

    def load(self, rows: Rows) -> None:
        """Create the contract's tables (replacing any) and fill them with `rows`."""

    def close(self) -> None: ...


class DryRunEngine(Protocol):
    """An engine that can say what a query would scan without running it (BigQuery)."""

    dataset: str

    def dry_run(self, name: str, params: dict[str, QueryValue]) -> int:
        """Bytes query `name` would process."""


def check_identifier(
    kind: str, value: str, pattern: re.Pattern[str] = DATASET_PATTERN, rule: str = DATASET_RULE
) -> str:
    """Refuse a name that could change the SQL around it before it reaches a template."""
    if not pattern.fullmatch(value):
        raise ExportError(f"{kind} name {value!r} is not allowed: {rule}")
    return value


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # here, not at the top: a run whose SQL is cached never renders a template

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(template_source),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def template_source(name: str) -> str:
    """The text of `queries/{name}` (with `.sql`), as shipped."""
    return resources.files("picks_export").joinpath("queries", name).read_text(encoding="utf-8")


def render(name: str, project: str | None = None, **identifiers: Any) -> str:
    """Render `queries/{name}.sql` in BigQuery SQL with already-checked identifiers.

    Table names are `project.dataset.table` on BigQuery and `dataset.table` (project None) on DuckDB.
    """
    return _environment().get_template(f"{name}.sql").render(project=project, **identifiers)


def query_names() -> list[str]:
    """Every query template shipped with the package."""
    folder = resources.files("picks_export").joinpath("queries")
    return sorted(entry.name.removesuffix(".sql") for entry in folder.iterdir() if entry.name.endswith(".sql"))
