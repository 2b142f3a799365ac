"""`bucket cors`, `bucket setup`, `bucket show`: set up and inspect the bucket the website reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from ..exporters.errors import ExportError
from .errors import clean_errors
from .options import BucketDest, JsonFile, Reading, ShownBucketDest, with_options
from .output import to_json
from .root import BUCKET_EXITS, bucket_app, command

if TYPE_CHECKING:
    from ..exporters.stores.gcs import GCSStore
    from ..exporters.stores.s3 import S3Store
    from ..exporters.stores.summary import BucketSummary


class Bucket(Reading):
    """The bucket of a bucket command (no folder: a PICKS_EXPORT_DEST naming one is named as the reason)."""

    dest: BucketDest = None  # type: ignore[assignment]
    SCHEMES: tuple[str, ...] = ("gs://",)  # the buckets the command works on

    def bucket(self, ctx: typer.Context) -> tuple[str, GCSStore]:
        """The bucket's address and store."""
        dest = self.checked(ctx)
        return dest, self.open_bucket(dest)

    def checked(self, ctx: typer.Context) -> str:
        """--dest, which must name a bucket of one of SCHEMES."""
        from typer._click.core import ParameterSource

        example = f"{self.SCHEMES[0]}BUCKET"  # every bucket command works on GCS
        if self.dest is None:
            raise typer.BadParameter(f"a bucket command needs --dest {example}", param_hint="'--dest'")
        if not self.dest.startswith(self.SCHEMES) and ctx.get_parameter_source("dest") is ParameterSource.ENVIRONMENT:
            raise ExportError(
                f"PICKS_EXPORT_DEST is {self.dest!r}, a folder, not a bucket: give --dest {example} to"
                f" `{ctx.command_path}`"
            )
        return self.dest


class ShownBucket(Bucket):
    """`bucket show`'s bucket: on GCS, or S3-compatible."""

    dest: ShownBucketDest = None
    SCHEMES = ("gs://", "s3://")

    def summary(self, ctx: typer.Context) -> tuple[str, BucketSummary]:
        dest = self.checked(ctx)
        if dest.startswith("s3://"):
            from ..exporters.stores.s3_bucket import summarize_s3_bucket

            return dest, summarize_s3_bucket(cast("S3Store", self.open()))  # the registry's store of s3://
        from ..exporters.stores.gcs_bucket import summarize_bucket

        return dest, summarize_bucket(self.open_bucket(dest))


Origins = Annotated[
    list[str],
    typer.Option(metavar="URL", help="A web origin allowed to GET the files, like https://example.com; repeatable."),
]
CorsMaxAge = Annotated[
    int,
    typer.Option(envvar="PICKS_EXPORT_CORS_MAX_AGE", metavar="SECONDS", min=0, help="Seconds a browser may cache the CORS answer."),
]  # fmt: skip


def _origins(origins: list[str]) -> list[str]:
    from ..exporters.cors import check_origin

    return [check_origin(each) for each in origins]


@command(bucket_app, "cors",
    "Set the bucket's CORS policy so that pages from these origins can fetch the files, and print it.",
    examples=("picks-export bucket cors --dest gs://picks-site --origin https://picks.example.com",),
    exits=BUCKET_EXITS,
)  # fmt: skip
@with_options
def bucket_cors(ctx: typer.Context, origin: Origins, bucket: Bucket, max_age: CorsMaxAge = 3600) -> None:
    from ..exporters.stores.gcs_bucket import set_cors

    with clean_errors():
        dest, store = bucket.bucket(ctx)
        policy = set_cors(store, _origins(origin), max_age)
        typer.echo(f"CORS of {dest}: {to_json(policy)}")


@command(bucket_app, "setup",
    "One-time bucket set-up: CORS for the origins, object versioning, and a lifecycle rule deleting replaced"
    " versions after --noncurrent-days; prints what was set.",
    "Versioning keeps each replaced file's previous generation, which `rollback` puts back; the lifecycle rule"
    " bounds how long (and so how far back a run can be rolled back). Other lifecycle rules are kept.",
    examples=("picks-export bucket setup --dest gs://picks-site --origin https://picks.example.com",),
    exits=BUCKET_EXITS,
)  # fmt: skip
@with_options
def bucket_setup(
    ctx: typer.Context,
    origin: Origins,
    bucket: Bucket,
    max_age: CorsMaxAge = 3600,
    noncurrent_days: Annotated[
        int,
        typer.Option(
            envvar="PICKS_EXPORT_NONCURRENT_DAYS",
            metavar="DAYS",
            min=1,
            help="Days a replaced file's previous version is kept (how long a run can be rolled back).",
        ),
    ] = 30,  # fmt: skip
) -> None:
    from ..exporters.stores.gcs_bucket import setup_bucket

    with clean_errors():
        dest, store = bucket.bucket(ctx)
        done = setup_bucket(store, _origins(origin), max_age, noncurrent_days)
        typer.echo(f"CORS of {dest}: {to_json(done.cors)}")
        typer.echo(f"versioning of {dest}: {'on' if done.versioning else 'off'}")
        typer.echo(f"lifecycle of {dest}: {to_json(done.lifecycle)}")


@command(bucket_app, "show",
    "Print the bucket's CORS policy, its versioning and lifecycle rules (what `rollback` depends on) and the number"
    " and total size of its objects (under the prefix), on GCS or an S3-compatible service.",
    "With versioning on, the bucket keeps each replaced file's previous generation, which `rollback` puts back,"
    " for as long as its lifecycle rule for replaced versions says; with it off, each run copies what it replaces"
    " under _runs/ instead. `bucket setup` turns versioning on and sets that rule.",
    examples=("picks-export bucket show --dest gs://picks-site", "picks-export bucket show --dest gs://picks-site --json"),
    exits=BUCKET_EXITS,
)  # fmt: skip
@with_options
def bucket_show(ctx: typer.Context, bucket: ShownBucket, json: JsonFile = False) -> None:
    from dataclasses import asdict

    with clean_errors():
        dest, summary = bucket.summary(ctx)
    if json:
        typer.echo(to_json({"dest": dest, **asdict(summary), "kept_days": kept_days(summary.lifecycle)}, indent=True))
        return
    scheme = dest.split("://", 1)[0]
    typer.echo(f"bucket: {scheme}://{summary.name}")
    typer.echo(f"cors: {to_json(summary.cors) if summary.cors else 'none'}")
    typer.echo(f"versioning: {_versioning(summary.versioning, kept_days(summary.lifecycle))}")
    typer.echo(f"lifecycle: {to_json(summary.lifecycle) if summary.lifecycle else 'none'}")
    typer.echo(f"objects under {dest}: {summary.objects:,}, {summary.total_bytes:,} bytes")


def kept_days(lifecycle: list[dict[str, Any]]) -> int | None:
    """How many days a replaced version is kept: the shortest of the enabled rules deleting noncurrent versions
    by age, GCS's (`daysSinceNoncurrentTime`) or S3's (`NoncurrentVersionExpiration`); None without one."""
    days = [_noncurrent_days(rule) for rule in lifecycle]
    return min((each for each in days if each is not None), default=None)


def _noncurrent_days(rule: dict[str, Any]) -> int | None:
    if "NoncurrentVersionExpiration" in rule:  # S3
        return rule["NoncurrentVersionExpiration"].get("NoncurrentDays") if rule.get("Status") == "Enabled" else None
    if rule.get("action", {}).get("type") == "Delete":  # GCS
        return rule.get("condition", {}).get("daysSinceNoncurrentTime")
    return None


def _versioning(on: bool, days: int | None) -> str:
    if not on:
        return "off (each run copies what it replaces under _runs/ for rollback; `bucket setup` turns versioning on)"
    kept = "until deleted (no lifecycle rule for them)" if days is None else f"for {days} days"
    return f"on (replaced versions are kept {kept}: how far back a run can be rolled back)"
