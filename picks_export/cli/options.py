"""The options commands share, declared once: `Annotated` aliases for single options, and groups of options that
a command receives as one parameter object (`Options`): `with_options` hands Typer each option of a group as an
option of its own, and the command the group built from their values.

Engine options are not written here: each engine declares its own (exporters/engines), and `Source` makes an
option of each (`--{name}`, env PICKS_EXPORT_{NAME}).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer

from ..exporters.engines import engine_options
from ..exporters.engines.engine import DEFAULT_DATASET, EngineOption
from ..exporters.kinds import FINAL_DAY_CACHE_CONTROL, default_cache_controls
from ..exporters.layout import DEFAULT_PREFIX
from .log import LogFormat, configure, set_run, warn_unknown_settings
from .output import Output
from .root import DESTINATION, OUTPUT, PUBLISHING, QUALITY, SCOPE, SOURCE

if TYPE_CHECKING:
    from ..exporters.publish import PublishPolicy
    from ..exporters.quality import QualityOptions
    from ..exporters.stores import Store
    from ..exporters.stores.gcs import GCSStore
    from .settings import Settings

ENV = "PICKS_EXPORT_"
DEFAULT_CACHE_CONTROL = default_cache_controls()  # from the table of file kinds
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds a run waits for a folder another run holds


def _a_number(value: float) -> float:
    """Refuse `nan` (a range lets it through: it compares false with both ends), which would wait or check forever."""
    if value != value:
        raise typer.BadParameter(f"{value} is not a number")
    return value


def _parse_date(text: str | dt.date) -> dt.date:
    if isinstance(text, dt.date):  # a default, already a date
        return text
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise typer.BadParameter(f"expected YYYY-MM-DD, got {text}")


def date_option(*names: str, envvar: str, help: str, panel: str | None = None) -> Any:
    return typer.Option(*names, envvar=envvar, parser=_parse_date, metavar="DATE", help=help, rich_help_panel=panel)


DateOption = dt.date | None
Today = Annotated[
    DateOption,
    date_option(
        envvar="PICKS_EXPORT_TODAY",
        panel=SCOPE,
        help="Stand-in for today in New York (default: the real date): a replay, a test, the demo's dates.",
    ),
]
Warehouse = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_WAREHOUSE", metavar="PATH", help="DuckDB warehouse file, or bigquery://PROJECT.",
        show_default=True, rich_help_panel=SOURCE,
    ),
]  # fmt: skip
Dataset = Annotated[
    str,
    typer.Option(envvar="PICKS_EXPORT_DATASET", metavar="NAME", rich_help_panel=SOURCE,
                 help="Dataset (schema) that holds the six tables."),
]  # fmt: skip
Dest = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_DEST", metavar="PATH", rich_help_panel=DESTINATION,
        help="Where to publish: a folder (standing for the bucket's root), or gs://BUCKET or s3://BUCKET (with /PREFIX or not).",
    ),
]  # fmt: skip
StatusDest = Annotated[
    str,
    typer.Option(envvar="PICKS_EXPORT_DEST", metavar="PATH", rich_help_panel=DESTINATION,
                 help="Where the runs published, to read the status file from: a folder, gs://BUCKET[/PREFIX] or s3://BUCKET[/PREFIX]."),
]  # fmt: skip
RunsDest = Annotated[
    str,
    typer.Option(envvar="PICKS_EXPORT_DEST", metavar="PATH", rich_help_panel=DESTINATION,
                 help="The destination the runs published to: a folder, gs://BUCKET[/PREFIX] or s3://BUCKET[/PREFIX]."),
]  # fmt: skip
BucketDest = Annotated[
    str | None,
    typer.Option(envvar="PICKS_EXPORT_DEST", metavar="gs://BUCKET", show_default=False, rich_help_panel=DESTINATION,
                 help="The bucket, as gs://BUCKET (a prefix limits `show`). A folder in PICKS_EXPORT_DEST is not one."),
]  # fmt: skip
ShownBucketDest = Annotated[
    str | None,
    typer.Option(envvar="PICKS_EXPORT_DEST", metavar="BUCKET", show_default=False, rich_help_panel=DESTINATION,
                 help="The bucket, as gs://BUCKET or s3://BUCKET (a prefix limits the objects counted). A folder in PICKS_EXPORT_DEST is not one."),
]  # fmt: skip
Project = Annotated[
    str | None,
    typer.Option(envvar="PICKS_EXPORT_PROJECT", metavar="PROJECT", rich_help_panel=DESTINATION,
                 help="Google Cloud project of the bucket."),
]  # fmt: skip
LockTimeout = Annotated[
    float,
    typer.Option(envvar="PICKS_EXPORT_LOCK_TIMEOUT", callback=_a_number, metavar="SECONDS", min=0.0, rich_help_panel=DESTINATION,
                 help="Seconds to wait for a folder --dest locked by another run (naming it) before giving up (exit 6)."),
]  # fmt: skip
S3EndpointUrl = Annotated[
    str | None,
    typer.Option(envvar="PICKS_EXPORT_S3_ENDPOINT_URL", metavar="URL", rich_help_panel=DESTINATION,
                 help="S3-compatible server of an s3:// --dest other than AWS (Cloudflare R2, MinIO)."),
]  # fmt: skip
Model = Annotated[
    str | None,
    typer.Option(envvar="PICKS_EXPORT_MODEL", metavar="CODE", rich_help_panel=SCOPE,
                 help="Model code; default the champion. Others go under models/{code}/."),
]  # fmt: skip
AllModels = Annotated[
    bool,
    typer.Option(
        "--all-models", envvar="PICKS_EXPORT_ALL_MODELS", rich_help_panel=SCOPE,
        help="Every enabled model in one run: the champion at the prefix's root, the others under models/{code}/.",
    ),
]  # fmt: skip
Shard = Annotated[
    str | None,
    typer.Option(envvar="PICKS_EXPORT_SHARD", metavar="I/N", help="Publish task I's share of N tasks' (model, season) units (default: the Cloud Run job's task)."),
]  # fmt: skip
Prefix = Annotated[
    str,
    typer.Option(envvar="PICKS_EXPORT_PREFIX", metavar="PREFIX", rich_help_panel=SCOPE,
                 help="Path prefix of every published file."),
]  # fmt: skip
WithPage = Annotated[
    bool,
    typer.Option(
        "--with-page", envvar="PICKS_EXPORT_WITH_PAGE", rich_help_panel=PUBLISHING,
        help="Also publish the reference page under {prefix}page/ (index.html, page.css, page.js).",
    ),
]  # fmt: skip
DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", envvar="PICKS_EXPORT_DRY_RUN", rich_help_panel=PUBLISHING,
        help="Plan and report as a run would (exit 7 if the shrink guard would refuse it); publish nothing.",
    ),
]  # fmt: skip
RollbackDryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", envvar="PICKS_EXPORT_DRY_RUN", rich_help_panel=PUBLISHING,
        help="List every file the rollback would put back, delete or rebuild; change nothing (a file a later run"
        " changed is refused as it would be: exit 7).",
    ),
]  # fmt: skip
AllowShrink = Annotated[
    bool,
    typer.Option(
        "--allow-shrink", envvar="PICKS_EXPORT_ALLOW_SHRINK", rich_help_panel=PUBLISHING,
        help="Replace a published per-day file that has picks with one that has none (refused otherwise).",
    ),
]  # fmt: skip
Gzip = Annotated[
    bool,
    typer.Option(
        "--gzip/--no-gzip", envvar="PICKS_EXPORT_GZIP", rich_help_panel=PUBLISHING,
        help="Store bucket objects gzip-compressed (Content-Encoding: gzip).",
    ),
]  # fmt: skip


def _cache_option(envvar: str, help: str) -> Any:
    return typer.Option(envvar=envvar, metavar="HEADER", rich_help_panel=PUBLISHING, help=help)


CacheDay = Annotated[str, _cache_option("PICKS_EXPORT_CACHE_DAY", "Cache-Control of per-day files.")]
CacheSeason = Annotated[str, _cache_option("PICKS_EXPORT_CACHE_SEASON", "Cache-Control of season files.")]
CacheIndex = Annotated[
    str, _cache_option("PICKS_EXPORT_CACHE_INDEX", "Cache-Control of picks/index.json and manifest.json.")
]
CacheSchema = Annotated[str, _cache_option("PICKS_EXPORT_CACHE_SCHEMA", "Cache-Control of the JSON Schemas.")]
CacheFinalDay = Annotated[
    str,
    _cache_option(
        "PICKS_EXPORT_CACHE_FINAL_DAY", "Cache-Control of per-day files two days old or more and fully graded."
    ),
]
Workers = Annotated[
    int, typer.Option(envvar="PICKS_EXPORT_WORKERS", metavar="N", rich_help_panel=PUBLISHING, help="Parallel uploads.", min=1, max=64)
]  # fmt: skip
RetryDeadline = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_RETRY_DEADLINE", callback=_a_number, metavar="SECONDS", rich_help_panel=PUBLISHING, min=1,
        help="Seconds to keep retrying a request that fails transiently (429, 5xx, connection reset).",
    ),
]  # fmt: skip
Verbose = Annotated[
    bool,
    typer.Option("--verbose", "-v", envvar="PICKS_EXPORT_VERBOSE", rich_help_panel=OUTPUT,
                 help="List every file with what happened to it (or would, on a dry run), and every quality warning."),
]  # fmt: skip
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", envvar="PICKS_EXPORT_QUIET", rich_help_panel=OUTPUT,
                 help="Print only errors and the summary line; no plan, no progress."),
]  # fmt: skip
Json = Annotated[
    bool,
    typer.Option("--json", envvar="PICKS_EXPORT_JSON", rich_help_panel=OUTPUT,
                 help="Print the run's report as one JSON document on stdout (errors still go to stderr)."),
]  # fmt: skip
JsonFile = Annotated[
    bool,
    typer.Option("--json", envvar="PICKS_EXPORT_JSON", rich_help_panel=OUTPUT,
                 help="Print what the command read as one JSON document on stdout (errors still go to stderr)."),
]  # fmt: skip
LogFormatOption = Annotated[
    LogFormat,
    typer.Option(
        envvar="PICKS_EXPORT_LOG_FORMAT", metavar="FORMAT", case_sensitive=False, rich_help_panel=OUTPUT,
        help="text, or json: one JSON object per event on stderr (severity, message, run id, counts), for Cloud Logging.",
    ),
]  # fmt: skip
RequireGraded = Annotated[
    bool,
    typer.Option(
        "--require-graded", envvar="PICKS_EXPORT_REQUIRE_GRADED", rich_help_panel=QUALITY,
        help="Publish nothing and exit 8 while yesterday's picks are not all graded (a scheduler retries later).",
    ),
]  # fmt: skip
MinVolume = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_MIN_VOLUME", callback=_a_number, metavar="FRACTION", rich_help_panel=QUALITY, min=0.0, max=1.0,
        help="Refuse (exit 7) a day whose picks per game fall below this fraction of the trailing 14-day median.",
    ),
]  # fmt: skip
AllowDrop = Annotated[
    bool,
    typer.Option(
        "--allow-drop", envvar="PICKS_EXPORT_ALLOW_DROP", rich_help_panel=QUALITY,
        help="Publish despite a volume finding that would refuse the run (it stays a warning in the status file).",
    ),
]  # fmt: skip
StaleHours = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_STALE_HOURS", callback=_a_number, metavar="HOURS", rich_help_panel=QUALITY, min=0.0,
        help="Warn when today's shown picks were computed more than this many hours before the first tip-off.",
    ),
]  # fmt: skip

G = TypeVar("G", bound="Options")


class Options:
    """A group of options that commands share, received as one parameter object: each annotated class attribute
    is an option (its value the default); one typed by another group holds that group (a group of groups).

    Plain classes rather than dataclasses: the command line makes ten at every start-up, and a dataclass costs
    about 0.4 ms to make (bench/startup.py)."""

    def __init__(self, **values: Any) -> None:
        for name in _hints(type(self)):
            setattr(self, name, values.pop(name) if name in values else getattr(type(self), name))
        if values:
            raise TypeError(f"{type(self).__name__} has no option {', '.join(values)}")

    @classmethod
    def parameters(cls) -> list[inspect.Parameter]:
        """The group's options, as Typer reads them from a signature."""
        found: list[inspect.Parameter] = []
        for name, hint in _hints(cls).items():
            found += hint.parameters() if _is_group(hint) else [_keyword(name, hint, getattr(cls, name))]
        return found

    @classmethod
    def collect(cls: type[G], values: dict[str, Any]) -> G:
        """The group, from (and without) its options' values."""
        return cls(**{
            name: hint.collect(values) if _is_group(hint) else values.pop(name) for name, hint in _hints(cls).items()
        })  # fmt: skip


def _is_group(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Options)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A group's options and their types (not its class constants), resolved once."""
    if cls not in _HINTS:
        hints = get_type_hints(cls, include_extras=True)
        _HINTS[cls] = {name: hint for name, hint in hints.items() if not name.isupper()}
    return _HINTS[cls]


def _keyword(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


class _Command:
    """A command as Typer reads it: each option of its groups (parameters typed by an `Options` class) a parameter
    of its own. Worked out when Typer builds the command, not before: the console script builds only the command
    it runs. Called, it sets up the command's events (log.configure) and hands the command its groups."""

    def __init__(self, command: Callable[..., None]) -> None:
        self.command = self.__wrapped__ = command
        self.__name__, self.__qualname__, self.__doc__ = command.__name__, command.__qualname__, command.__doc__
        self.__module__ = command.__module__

    @functools.cached_property
    def _expanded(self) -> tuple[inspect.Signature, dict[str, type[Options]]]:
        hints = get_type_hints(self.command, include_extras=True)
        groups: dict[str, type[Options]] = {}
        parameters: list[inspect.Parameter] = []
        for name, parameter in inspect.signature(self.command).parameters.items():
            if _is_group(hints[name]):
                groups[name] = hints[name]
                parameters += hints[name].parameters()
            else:
                parameters.append(_keyword(name, hints[name], parameter.default))
        assert len({each.name for each in parameters}) == len(parameters), f"{self.__name__}: an option twice"
        return inspect.Signature(parameters), groups

    @property
    def __signature__(self) -> inspect.Signature:
        return self._expanded[0]

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        return {name: each.annotation for name, each in self._expanded[0].parameters.items()}

    def __call__(self, **values: Any) -> None:
        configure(values.get("log_format", LogFormat.text), self.__name__)
        warn_unknown_settings()
        for name, group in self._expanded[1].items():
            values[name] = group.collect(values)
        self.command(**values)


def with_options(command: Callable[..., None]) -> Callable[..., None]:
    """The command, its groups of options expanded for Typer (see `_Command`)."""
    return _Command(command)


def _engine_parameter(option: EngineOption) -> inspect.Parameter:
    """A Typer option of an engine's declared option: `--{name}`, env PICKS_EXPORT_{NAME}."""
    kind = type(option.default) if option.default is not None else str | None
    declared = typer.Option(
        "--" + option.name.replace("_", "-"),
        envvar=ENV + option.name.upper(),
        metavar=option.metavar,
        help=option.help,
        rich_help_panel=SOURCE,
        parser=None if option.parse is None else functools.partial(_parsed, option.parse),
        show_default=option.shown_default if option.shown_default is not None else True,
    )
    return _keyword(option.name, Annotated[kind, declared], option.default)


def _parsed(parse: Callable[[str], Any], text: Any) -> Any:
    if not isinstance(text, str):  # the default, already a value
        return text
    try:
        return parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


class Source(Options):
    """The warehouse: a DuckDB file or an engine's URL, its dataset, and the options the engines declare."""

    warehouse: Warehouse = "warehouse.duckdb"
    dataset: Dataset = DEFAULT_DATASET
    engine: Mapping[str, Any] = MappingProxyType({})  # the engines' options, by name

    LOADS = False  # only the options of loading tables (demo), not those of queries

    @classmethod
    def parameters(cls) -> list[inspect.Parameter]:
        hints = _hints(cls)
        own = [_keyword(name, hints[name], getattr(cls, name)) for name in ("warehouse", "dataset")]
        return own + [_engine_parameter(option) for option in engine_options(loads=cls.LOADS)]

    @classmethod
    def collect(cls: type[G], values: dict[str, Any]) -> G:
        engine = {option.name: values.pop(option.name) for option in engine_options(loads=cls.LOADS)}  # type: ignore[attr-defined]
        return cls(warehouse=values.pop("warehouse"), dataset=values.pop("dataset"), engine=engine)

    def engine_values(self, command: str, settings: Settings) -> dict[str, Any]:
        """What the engine takes: its options, the environment's settings, and the command (a job label)."""
        return {**self.engine, **settings.engine_values(), "command": command}


class DemoSource(Source):
    LOADS = True


class Reading(Options):
    """A destination a command only reads: a folder, or a bucket and the options of its store."""

    dest: StatusDest = "public"
    # A store's options go here, next to --dest, and into `open`.
    project: Project = None  # gs://
    s3_endpoint_url: S3EndpointUrl = None  # s3://
    lock_timeout = DEFAULT_LOCK_TIMEOUT  # not an option: reading takes no lock

    # The one place the command line opens --dest.
    def open(self) -> Store:
        """The destination's store, from the stores' registry by the URL's scheme."""
        from ..exporters.stores import StoreSettings, open_store

        settings = StoreSettings(
            project=self.project, endpoint_url=self.s3_endpoint_url, lock_timeout=self.lock_timeout
        )
        return open_store(self.dest, settings)

    def open_bucket(self, dest: str) -> GCSStore:
        """The bucket of a bucket command (`dest`: the checked --dest)."""
        from ..exporters.stores.gcs_bucket import open_bucket

        return open_bucket(dest, self.project)


class Destination(Reading):
    """Where files are published: a folder (whose lock a run may wait for), or a bucket."""

    dest: Dest = "public"
    lock_timeout: LockTimeout = DEFAULT_LOCK_TIMEOUT  # a folder


class StatusDestination(Reading):
    """The destination `status` reads."""


class RunsListing(Reading):
    dest: RunsDest = "public"


class RunsDestination(Destination):
    dest: RunsDest = "public"


class Scope(Options):
    """Which model's files, under which prefix, as of which day."""

    model: Model = None
    prefix: Prefix = DEFAULT_PREFIX
    today: Today = None
    with_page: WithPage = False
    shard: Shard = None


class Publishing(Options):
    """How files are published: a dry run, the shrink guard, compression, headers, uploads and their retries."""

    dry_run: DryRun = False
    allow_shrink: AllowShrink = False
    gzip: Gzip = True
    cache_day: CacheDay = DEFAULT_CACHE_CONTROL["day"]
    cache_season: CacheSeason = DEFAULT_CACHE_CONTROL["season"]
    cache_index: CacheIndex = DEFAULT_CACHE_CONTROL["index"]
    cache_schema: CacheSchema = DEFAULT_CACHE_CONTROL["schema"]
    workers: Workers = 8
    retry_deadline: RetryDeadline = 120.0
    cache_final_day: CacheFinalDay = FINAL_DAY_CACHE_CONTROL

    def policy(self, command: str) -> PublishPolicy:
        """The run's policy for `command` (`daily`); its run id is in every later event."""
        from ..exporters.publish import PublishPolicy

        policy = PublishPolicy(
            gzip=self.gzip,
            cache_control={
                "day": self.cache_day,
                "season": self.cache_season,
                "index": self.cache_index,
                "schema": self.cache_schema,
            },
            allow_shrink=self.allow_shrink,
            dry_run=self.dry_run,
            workers=self.workers,
            retry_deadline=self.retry_deadline,
            cache_final_day=self.cache_final_day,
            command=command,
        )
        set_run(policy.run)
        return policy


class Report(Options):
    """How much a run prints, and in which form its events go."""

    verbose: Verbose = False
    quiet: Quiet = False
    json: Json = False
    log_format: LogFormatOption = LogFormat.text

    def output(self) -> Output:
        return Output(self.verbose, self.quiet, self.json)


class Quality(Options):
    """The quality gate's thresholds."""

    min_volume: MinVolume = 0.5
    stale_hours: StaleHours = 18.0
    allow_drop: AllowDrop = False

    def options(self, require_graded: bool = False) -> QualityOptions:
        from ..exporters.quality import QualityOptions

        return QualityOptions(self.min_volume, self.stale_hours, require_graded, self.allow_drop)
