"""The one small interface every warehouse engine implements, and the SQL templates they share.

Each query is a `.sql` Jinja2 template in `picks_export/queries/`, written in BigQuery Standard SQL. Jinja fills
in identifiers only (checked against a strict pattern first); every value is a bound query parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..errors import ExportError, OptionError, WarehouseError
from ..tables import Rows

if TYPE_CHECKING:
    import jinja2
    import pyarrow

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

    # The run may release the engine, fork build workers and have each reopen it (`for_worker`): a DuckDB file is
    # simply opened again; BigQuery's clients, which do not survive a fork, are closed before it and opened anew.
    forked_workers: bool = False
    # The engine can say what a query would scan without running it (`DryRunEngine.dry_run`).
    dry_run: bool = False


class WarehouseOptionError(OptionError, WarehouseError):
    """The warehouse's option is wrong (exit 5, like any warehouse that cannot be opened), named as a concept."""


class EngineMemoryError(WarehouseError):
    """A query ran out of the memory a build worker's engine was given (`for_worker`): the worker reads its share
    again with more, and after its last attempt the run builds that share in its own process."""


class EngineOption(NamedTuple):
    """A setting an engine takes, declared once; the command line makes an option of each (`--{name}`).

    `name` is the concept errors speak of (`maximum_bytes_billed`); `field` the engine settings' field, if other.
    (Declarations are named tuples: every start-up makes them, and a dataclass costs ten times as much.)"""

    name: str
    default: Any
    help: str
    metavar: str
    parse: Callable[[str], Any] | None = None  # text to value, ValueError for a bad one; None: the text itself
    shown_default: str | None = None  # how a help shows the default, when not as it is
    loads: bool = True  # also a setting of loading tables (`demo`), not only of running queries
    field: str = ""

    @property
    def setting(self) -> str:
        return self.field or self.name


class EngineSpec(NamedTuple):
    """One kind of warehouse: how a `--warehouse` names it, what it can do, the options it takes, and how it opens.

    `open(warehouse, dataset, settings)` and `write_demo(warehouse, rows, dataset, settings, force=...)` import
    the engine's own libraries only when called."""

    name: str  # as messages name it: BigQuery
    schemes: tuple[str, ...]  # `bigquery` for bigquery://PROJECT; none for the default, a file path
    example: str  # how a warehouse of this kind is written
    capabilities: Capabilities
    settings: Any  # the class of the engine's settings: a named tuple whose every field has a default
    options: tuple[EngineOption, ...]
    open: Callable[[str, str, Any], Engine]
    write_demo: Callable[..., None]

    def settings_of(self, values: Mapping[str, Any]) -> Any:
        """The engine's settings from values by concept (an option's name, else the settings' field); others
        are another engine's, and ignored."""
        named = {option.setting: option.name for option in self.options}
        known = {field: named.get(field, field) for field in self.settings._fields}
        return self.settings(**{field: values[concept] for field, concept in known.items() if concept in values})


class Engine(Protocol):
    """Runs the named query templates against one warehouse dataset."""

    queries_run: int
    dataset: str  # the dataset (DuckDB schema) holding the contract's tables
    capabilities: Capabilities

    def release(self) -> None:
        """Let go of connections until the next query (before build workers are forked); a no-op where the
        engine has no `forked_workers` capability."""

    def for_worker(self, scratch: str, factor: int = 1) -> None:
        """In a forked build worker: reopen with one thread and a bounded memory (the engine's worker memory times
        `factor`, where it has one), spilling into `scratch`."""

    def query(self, name: str, params: dict[str, QueryValue]) -> Iterator[Row]:
        """Run template `name` with bound `params`; rows as dicts of plain Python values, streamed in batches.

        Consume one result before starting the next query."""

    def query_tuples(self, name: str, params: dict[str, QueryValue]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """Like `query`, for large results: the column names, and the rows as tuples in their order."""

    def query_batches(self, name: str, params: dict[str, QueryValue]) -> Iterator[pyarrow.RecordBatch]:
        """Like `query_tuples`, as Arrow record batches in the result's order (imports pyarrow): a column's
        `to_pylist()` gives the values `query_tuples` gives for the contract's STRING, INT64, FLOAT64 and DATE."""

    def load(self, rows: Rows) -> None:
        """Create the contract's tables (replacing any) and fill them with `rows`."""

    def close(self) -> None: ...


class DryRunEngine(Protocol):
    """An engine that can say what a query would scan without running it (BigQuery)."""

    dataset: str

    def dry_run(self, name: str, params: dict[str, QueryValue]) -> int:
        """Bytes query `name` would process."""

    def unpartitioned_tables(self) -> list[str]:
        """The dated tables (those with a `game_date`) not partitioned by it: any run scans their whole history."""


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
