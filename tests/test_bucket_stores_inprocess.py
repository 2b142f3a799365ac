"""The bucket stores called directly, in this process, against fake-gcs-server and moto's S3 server: each
precondition, outcome, error text and request option a wrong implementation would get wrong.

Where a server does not check a precondition itself, the request the store sends is recorded (a wrapper around
the client library's call that passes it on) and its arguments are checked instead.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from typing import Any

import google.auth.exceptions
import pytest
import requests
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from google.api_core import exceptions as api_exceptions
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from picks_export.exporters.errors import ExportError, OptionError, OutputError
from picks_export.exporters.metadata import ObjectInfo
from picks_export.exporters.stores import gcs as gcs_module
from picks_export.exporters.stores import gcs_bucket, s3_bucket
from picks_export.exporters.stores.base import Delete, Headers, Outcome, StoreSettings, Write
from picks_export.exporters.stores.gcs import REQUEST_TIMEOUT, GCSStore, parse_gcs_url
from picks_export.exporters.stores.s3 import S3Store
from picks_export.exporters.stores.s3 import short_error as s3_short_error

JSON = Headers(cache_control="public, max-age=300", content_type="application/json")
PATH = "v1/picks/2026-01-01.json"


def write(path: str, data: bytes, expected: ObjectInfo | None, keep_as: str | None = None, **metadata: str) -> Write:
    return Write(path, lambda: data, JSON, metadata, expected, keep_as)


# GCS


@pytest.fixture
def gcs_store(gcs, bucket) -> GCSStore:
    from fakegcs import client_for

    store = GCSStore(bucket, "site/", client=client_for(gcs.url))
    store.configure(5)
    return store


@pytest.fixture
def gcs_calls(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Every call the store makes of the client library's request methods, with its keyword arguments."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for owner, name in [
        (storage.Blob, "delete"),
        (storage.Blob, "patch"),
        (storage.Blob, "upload_from_string"),
        (storage.Blob, "download_as_bytes"),
        (storage.Bucket, "copy_blob"),
        (storage.Bucket, "get_blob"),
        (storage.Bucket, "patch"),
        (storage.Bucket, "reload"),
        (storage.Client, "list_blobs"),
        (storage.Client, "get_bucket"),
    ]:
        original = getattr(owner, name)

        def recording(*args: Any, _original: Any = original, _name: str = f"{owner.__name__}.{name}", **kwargs: Any):
            # Only the library's calls of the store, not the library's own calls of itself (some in its threads).
            if sys._getframe(1).f_globals.get("__name__", "").startswith("picks_export."):
                calls.append((_name, kwargs))
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, recording)
    return calls


def assert_guarded(calls: list[tuple[str, dict[str, Any]]], store: Any) -> None:
    """Every request went with the store's retry and the request timeout."""
    assert calls
    for name, kwargs in calls:
        assert kwargs.get("retry") is store.retry and kwargs.get("timeout") == REQUEST_TIMEOUT, (name, kwargs)


def test_gcs_delete_is_refused_for_a_stale_generation_and_keeps_the_bytes_it_deletes(gcs_store, gcs_calls):
    store = gcs_store
    (first,) = store.write([write(PATH, b"one", None)])
    (second,) = store.write([write(PATH, b"two", first.info)])
    assert first.state == second.state == "done" and first.info.generation != second.info.generation
    # fake-gcs-server checks a deletion's ifGenerationMatch: the generation listed before the replacement is refused.
    (stale,) = store.delete([Delete(PATH, first.info, keep_as="_runs/r1/" + PATH)])
    assert stale == Outcome("conflict") and store.read(PATH) == b"two"
    gcs_calls.clear()
    (done,) = store.delete([Delete(PATH, second.info, keep_as="_runs/r2/" + PATH)])
    assert done.state == "done" and done.saved == "_runs/r2/" + PATH and done.info is None and done.detail == ""
    assert store.read(PATH) is None and store.read("_runs/r2/" + PATH) == b"two"
    (deletion,) = [kwargs for name, kwargs in gcs_calls if name == "Blob.delete"]
    assert deletion["if_generation_match"] == second.info.generation
    assert [kwargs["source_generation"] for name, kwargs in gcs_calls if name == "Bucket.copy_blob"] == [
        second.info.generation
    ]
    assert_guarded(gcs_calls, store)
    # Gone since it was listed: a conflict, not a failure.
    assert store.delete([Delete(PATH, second.info)]) == [Outcome("conflict")]


def test_gcs_delete_of_nothing_listed_sends_no_request(gcs_store, gcs_calls):
    assert gcs_store.delete([Delete(PATH, None), Delete(PATH, ObjectInfo(PATH, generation=None))]) == [
        Outcome("gone"),
        Outcome("gone"),
    ]
    assert gcs_calls == []


def test_gcs_delete_without_keeping_copies_nothing(gcs_store, gcs_calls):
    (first,) = gcs_store.write([write(PATH, b"one", None)])
    gcs_calls.clear()
    assert gcs_store.delete([Delete(PATH, first.info)]) == [Outcome("done")]
    assert [name for name, _ in gcs_calls] == ["Blob.delete"]


def test_gcs_delete_on_a_versioned_bucket_keeps_the_generation_itself(gcs, gcs_calls):
    from fakegcs import client_for

    made = client_for(gcs.url).bucket("versioned-deletes")
    made.versioning_enabled = True
    client_for(gcs.url).create_bucket(made)
    store = GCSStore("versioned-deletes", client=client_for(gcs.url))
    (first,) = store.write([write(PATH, b"one", None)])
    assert store.versioned is True
    (done,) = store.delete([Delete(PATH, first.info, keep_as="_runs/r/" + PATH)])
    assert done == Outcome("done") and store.read_version(PATH, first.info.generation) == b"one"
    assert store.read_version(PATH, str(first.info.generation)) == b"one"
    assert not [name for name, _ in gcs_calls if name == "Bucket.copy_blob"]


def test_gcs_patch_changes_the_headers_under_both_preconditions(gcs_store, gcs_calls):
    store = gcs_store
    (first,) = store.write([write(PATH, gzip.compress(b"{}"), None, hash="h")])
    listed = store.list("v1/")[PATH]
    assert listed.metageneration is not None and listed.generation == first.info.generation
    restyled = Headers(cache_control="no-cache", content_type="application/x-test")
    gcs_calls.clear()
    (done,) = store.write([Write(PATH, None, restyled, {}, listed)])
    assert done == Outcome("done", listed)
    (patch,) = [kwargs for name, kwargs in gcs_calls if name == "Blob.patch"]
    assert patch["if_generation_match"] == listed.generation
    assert patch["if_metageneration_match"] == listed.metageneration
    assert_guarded(gcs_calls, store)
    after = store.list("v1/")[PATH]
    assert (after.cache_control, after.content_type) == ("no-cache", "application/x-test")
    assert after.generation == listed.generation and after.metadata == {"hash": "h"}


def checking_patch_preconditions(monkeypatch) -> None:
    """fake-gcs-server ignores a patch's ifGenerationMatch and ifMetagenerationMatch (it patches anyway): GCS's
    check, done here before the patch is passed on, answers 412 as GCS would."""
    original = storage.Blob.patch

    def patch(blob: storage.Blob, **kwargs: Any) -> None:
        current = blob.bucket.get_blob(blob.name)
        if current is not None and (
            kwargs.get("if_generation_match") != current.generation
            or kwargs.get("if_metageneration_match") != current.metageneration
        ):
            raise api_exceptions.PreconditionFailed("conditionNotMet")
        original(blob, **kwargs)

    monkeypatch.setattr(storage.Blob, "patch", patch)


def test_gcs_patch_of_a_replaced_restyled_or_deleted_object_is_a_conflict(gcs_store, monkeypatch):
    store = gcs_store
    store.write([write(PATH, b"one", None)])
    listed = store.list("v1/")[PATH]
    checking_patch_preconditions(monkeypatch)
    restyled = Headers(cache_control="no-cache", content_type="application/json")
    (done,) = store.write([Write(PATH, None, restyled, {}, listed)])
    assert done.state == "done" and store.list("v1/")[PATH].cache_control == "no-cache"
    restyled_since = ObjectInfo(PATH, generation=listed.generation, metageneration=(listed.metageneration or 0) + 1)
    assert store.write([Write(PATH, None, JSON, {}, restyled_since)]) == [Outcome("conflict")]
    store.write([Write(PATH, None, JSON, {}, listed)])
    (replaced,) = store.write([write(PATH, b"two", store.list("v1/")[PATH])])
    stale = ObjectInfo(PATH, generation=listed.generation, metageneration=replaced.info.metageneration or 1)
    assert store.write([Write(PATH, None, JSON, {}, stale)]) == [Outcome("conflict")]
    assert store.list("v1/")[PATH].cache_control == JSON.cache_control and store.read(PATH) == b"two"
    monkeypatch.undo()
    # A deleted object: fake-gcs-server answers 404 itself.
    store.delete([Delete(PATH, store.list("v1/")[PATH])])
    assert store.write([Write(PATH, None, restyled, {}, listed)]) == [Outcome("conflict")]


def test_gcs_requests_that_fail_are_failed_outcomes_and_errors_naming_the_object(gcs_store):
    store = GCSStore(gcs_store.bucket_name, "site/", client=gcs_store.client)
    store.client._connection.API_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    store.configure(0.3)
    listed = ObjectInfo(PATH, generation=1, metageneration=1)
    unreachable = "cannot connect to the storage server"
    for outcome in [
        *store.delete([Delete(PATH, listed)]),
        *store.write([Write(PATH, None, JSON, {}, listed)]),
        *store.write([write(PATH, b"x", None)]),
    ]:
        assert outcome.state == "failed" and outcome.detail.endswith(unreachable), outcome
    where = f"gs://{store.bucket_name}/site/"
    for call, text in [
        (lambda: store.list("v1/"), f"cannot list {where}v1/ (nothing published): "),
        (lambda: store.names("_runs/"), f"cannot list {where}_runs/: "),
        (lambda: store.read(PATH), f"cannot read {where}{PATH} (nothing published): "),
        (lambda: store.read_version(PATH, 7), f"cannot read {where}{PATH} (generation 7): "),
        (lambda: store.write_private("_runs/x.json", b"{}"), f"cannot write {where}_runs/x.json: "),
    ]:
        with pytest.raises(OutputError) as raised:
            call()
        assert str(raised.value).startswith(text) and str(raised.value).endswith(unreachable)
    assert store.versioned is False


def test_gcs_a_version_that_arrives_damaged_is_named(gcs, bucket):
    from fakegcs import FaultProxy, client_for

    proxy = FaultProxy(gcs.port)
    store = GCSStore(bucket, "site/", client=client_for(proxy.url))
    (first,) = store.write([write(PATH, b"0123456789", None)])
    store.configure(1)
    proxy.damage, proxy.damage_left = "flip", 10  # failing its checksum: not retried by the library itself
    with pytest.raises(OutputError, match=rf"^cannot read gs://{bucket}/site/{PATH}: it arrived damaged"):
        store.read_version(PATH, first.info.generation)
    proxy.close()


def test_gcs_retry_backs_off_from_a_fifth_of_a_second(gcs_store):
    assert GCSStore(gcs_store.bucket_name, client=gcs_store.client).retry is DEFAULT_RETRY
    gcs_store.configure(7)
    retry = gcs_store.retry
    assert (retry._timeout, retry._initial, retry._maximum, retry._multiplier) == (7, 0.2, 10.0, 2.0)


def test_gcs_replacing_keeps_a_copy_of_the_generation_listed(gcs_store, gcs_calls):
    store = gcs_store
    (first,) = store.write([write(PATH, b"one", None)])
    (second,) = store.write([write(PATH, b"second", first.info, keep_as="_runs/r/" + PATH)])
    assert second.state == "done" and second.saved == "_runs/r/" + PATH and second.detail == ""
    assert second.info == ObjectInfo(PATH, size=6, generation=store.list("v1/")[PATH].generation)
    assert store.read("_runs/r/" + PATH) == b"one" and store.read(PATH) == b"second"
    uploads = [kwargs for name, kwargs in gcs_calls if name == "Blob.upload_from_string"]
    assert [each["if_generation_match"] for each in uploads] == [0, first.info.generation]
    assert [each["content_type"] for each in uploads] == ["application/json"] * 2
    assert_guarded(gcs_calls, store)


def test_gcs_a_replacement_raced_after_its_copy_is_a_conflict_naming_the_copy(gcs_store, monkeypatch):
    from fakegcs import client_for

    store = gcs_store
    (first,) = store.write([write(PATH, b"one", None)])
    original = storage.Bucket.copy_blob
    other_run = client_for(store.client._connection.API_BASE_URL).bucket(store.bucket_name).blob("site/" + PATH)

    def copy_then_replaced(*args: Any, **kwargs: Any) -> Any:
        copied = original(*args, **kwargs)
        other_run.upload_from_string(b"other run")  # another run's write lands between the copy and the upload
        return copied

    monkeypatch.setattr(storage.Bucket, "copy_blob", copy_then_replaced)
    assert store.write([write(PATH, b"two", first.info, keep_as="_runs/r/" + PATH)]) == [
        Outcome("conflict", saved="_runs/r/" + PATH)
    ]
    assert store.read(PATH) == b"other run"


def test_gcs_listing_states_each_size(gcs_store):
    gcs_store.write([write("v1/a.json", b"12345", None), write("v1/empty.json", b"", None)])
    assert {path: info.size for path, info in gcs_store.list("v1/").items()} == {"v1/a.json": 5, "v1/empty.json": 0}


def test_gcs_names_lists_one_level_below_the_prefix(gcs_store, gcs_calls):
    store = gcs_store
    for path in ["_runs/b.json", "_runs/a.json", "_runs/deeper/c.json", "v1/x.json"]:
        store.write_private(path, b"{}")
    assert store.names("_runs/") == ["a.json", "b.json"]
    assert store.names("nothing/") == []
    (private,) = [name for name in store.list("_runs/") if name == "_runs/a.json"]
    assert store.list("_runs/")[private].cache_control == "no-store"
    assert store.list("_runs/")[private].content_type == "application/json"
    assert_guarded(gcs_calls, store)


def test_gcs_a_missing_bucket_is_named(gcs):
    from fakegcs import client_for

    store = GCSStore("no-such-bucket", client=client_for(gcs.url))
    store.configure(1)
    with pytest.raises(OutputError, match=r"^bucket gs://no-such-bucket does not exist \(nothing published\)$"):
        store.list("v1/")
    with pytest.raises(OutputError, match=r"^bucket gs://no-such-bucket does not exist$"):
        store.names("_runs/")
    assert store.read_version(PATH, 3) is None
    assert store.versioned is False


@pytest.mark.parametrize(
    ("dest", "expected"),
    [
        ("gs://abc", ("abc", "")),
        ("gs://" + "a" * 63, ("a" * 63, "")),
        ("gs://" + "a.b" * 74, ("a.b" * 74, "")),
        ("gs://a-b_c.d/p/q", ("a-b_c.d", "p/q/")),
        ("abc/p", ("abc", "p/")),
    ],
)
def test_gcs_urls_accepted(dest, expected):
    assert parse_gcs_url(dest) == expected


@pytest.mark.parametrize(
    "dest",
    ["gs://ab", "gs://" + "a" * 64, "gs://" + "a.b" * 74 + "c", "gs://a..b", "gs://abc-", "gs://_abc", "gs://aBc"],
)
def test_gcs_urls_refused(dest):
    with pytest.raises(ExportError, match=r"does not name a bucket: use gs://BUCKET or gs://BUCKET/PREFIX$"):
        parse_gcs_url(dest)


def test_gcs_open_store_and_bucket_use_the_emulator_and_project(gcs, bucket, monkeypatch):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.url)
    store = gcs_module.open_store(f"gs://{bucket}/pre", StoreSettings(project="proj-1"))
    assert (store.bucket_name, store.prefix, store.client.project) == (bucket, "pre/", "proj-1")
    assert store.describe("x.json") == f"gs://{bucket}/pre/x.json" and store.list("") == {}
    opened = gcs_bucket.open_bucket(f"gs://{bucket}", "proj-2")
    assert (opened.bucket_name, opened.prefix, opened.client.project) == (bucket, "", "proj-2")
    with pytest.raises(OptionError) as raised:
        gcs_bucket.open_bucket("s3://b{x}")
    assert str(raised.value) == "'s3://b{x}' is not a bucket: give dest gs://BUCKET"


def test_gcs_client_options_reach_the_client(gcs, monkeypatch):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.url)
    made: list[dict[str, Any]] = []
    original = storage.Client

    def client(**kwargs: Any) -> storage.Client:
        made.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(storage, "Client", client)
    options = {"api_endpoint": gcs.url}
    assert gcs_module.make_client("p", options).project == "p"
    assert made == [{"project": "p", "client_options": options}]


def test_gcs_without_credentials_says_how_to_get_them(monkeypatch):
    def no_credentials(**_: Any) -> None:  # no server can provoke the client's own search for credentials
        raise google.auth.exceptions.DefaultCredentialsError("none")

    monkeypatch.setattr(storage, "Client", no_credentials)
    with pytest.raises(ExportError) as raised:
        gcs_module.make_client("p")
    assert str(raised.value) == (
        "no Google credentials found: run `gcloud auth application-default login`, or set"
        " GOOGLE_APPLICATION_CREDENTIALS to a service account key file"
    )


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (api_exceptions.NotFound("no such object"), "HTTP 404: no such object"),
        (
            api_exceptions.RetryError("deadline", api_exceptions.ServiceUnavailable("busy")),
            "gave up retrying: HTTP 503: busy",
        ),
        (api_exceptions.RetryError("deadline", None), "RetryError: deadline, last exception: None"),
        (requests.ConnectionError("refused"), "cannot connect to the storage server"),
        (ValueError(" first line \nsecond"), "ValueError: first line"),
        (ValueError(""), "ValueError:"),
    ],
)
def test_gcs_short_error(error, text):
    assert gcs_module.short_error(error) == text


def with_rules(monkeypatch, cors: list[dict[str, Any]], lifecycle: list[dict[str, Any]]) -> None:
    """fake-gcs-server keeps neither a bucket's CORS policy nor its lifecycle rules: a bucket read from it is
    given these, as GCS would answer them."""
    original = storage.Bucket._set_properties

    def set_properties(bucket: storage.Bucket, value: dict[str, Any]) -> None:
        original(bucket, {**value, "cors": cors, "lifecycle": {"rule": lifecycle}})

    monkeypatch.setattr(storage.Bucket, "_set_properties", set_properties)


OTHER_RULE = {"action": {"type": "Delete"}, "condition": {"age": 400}}


def test_gcs_bucket_commands_set_cors_and_set_up(gcs, gcs_calls, monkeypatch):
    from fakegcs import CorsProxy, client_for

    proxy = CorsProxy(gcs.port)  # keeps the CORS policy sent, which fake-gcs-server drops
    client = client_for(proxy.url)
    client.create_bucket("bucket-setup")
    store = GCSStore("bucket-setup", "site/", client=client)
    store.configure(5)
    policy = gcs_bucket.set_cors(store, ["https://example.com"], 600)
    assert policy == gcs_bucket.cors_policy(["https://example.com"], 600) == proxy.policies["bucket-setup"]
    proxy.policies.clear()
    with pytest.raises(OptionError, match=r"^noncurrent days must be at least 1, not 0$"):
        gcs_bucket.setup_bucket(store, ["https://example.com"], 600, 0)
    with_rules(monkeypatch, [], [OTHER_RULE, gcs_bucket.noncurrent_rule(90)])
    setup = gcs_bucket.setup_bucket(store, ["https://example.com"], 600, 1)
    # The bucket's other rule is kept; its previous rule for replaced generations gives way to the new one.
    noncurrent = {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 1}}
    assert setup == gcs_bucket.BucketSetup(policy, True, [OTHER_RULE, noncurrent])
    assert proxy.policies["bucket-setup"] == policy
    assert_guarded(gcs_calls, store)
    monkeypatch.undo()
    assert client.get_bucket("bucket-setup").versioning_enabled is True
    proxy.close()


def test_gcs_bucket_summary(gcs, gcs_calls, monkeypatch):
    from fakegcs import client_for

    client = client_for(gcs.url)
    made = client.bucket("bucket-summary")
    made.versioning_enabled = True
    client.create_bucket(made)
    store = GCSStore("bucket-summary", "site/", client=client)
    store.configure(5)
    store.write_private("a.json", b"12345")
    store.write_private("b.json", b"123")
    store.write_private("empty.json", b"")
    other = GCSStore("bucket-summary", "other/", client=client)
    other.retry = store.retry
    other.write_private("c.json", b"1")
    cors = gcs_bucket.cors_policy(["https://example.com"], 60)
    with_rules(monkeypatch, cors, [OTHER_RULE])
    summary = gcs_bucket.summarize_bucket(store)
    assert summary == gcs_bucket.BucketSummary("bucket-summary", cors, 3, 8, True, [OTHER_RULE])
    assert_guarded(gcs_calls, store)
    everything = gcs_bucket.summarize_bucket(GCSStore("bucket-summary", client=client))
    assert (everything.objects, everything.total_bytes) == (4, 9)
    monkeypatch.undo()
    plain = gcs_bucket.summarize_bucket(GCSStore("bucket-summary", "nothing/", client=client))
    assert (plain.objects, plain.total_bytes, plain.cors, plain.lifecycle) == (0, 0, [], [])


def test_gcs_bucket_commands_name_a_missing_bucket_or_a_failed_request(gcs):
    from fakegcs import client_for

    missing = GCSStore("no-such-bucket", client=client_for(gcs.url))
    missing.configure(1)
    for command in [
        lambda: gcs_bucket.summarize_bucket(missing),
        lambda: gcs_bucket.set_cors(missing, ["https://example.com"], 60),
        lambda: gcs_bucket.setup_bucket(missing, ["https://example.com"], 60, 3),
    ]:
        with pytest.raises(OutputError, match=r"^bucket gs://no-such-bucket does not exist$"):
            command()
    unreachable = GCSStore("some-bucket", client=client_for("http://127.0.0.1:9"))
    unreachable.configure(0.3)
    for command, doing in [
        (lambda: gcs_bucket.summarize_bucket(unreachable), "read bucket"),
        (lambda: gcs_bucket.set_cors(unreachable, ["https://example.com"], 60), "set the CORS policy of"),
        (lambda: gcs_bucket.setup_bucket(unreachable, ["https://example.com"], 60, 3), "set up"),
    ]:
        with pytest.raises(
            OutputError, match=rf"^cannot {doing} gs://some-bucket: .*cannot connect to the storage server$"
        ):
            command()


# S3


@pytest.fixture
def s3_store(s3, monkeypatch) -> Iterator[S3Store]:
    from stores import S3_ENV

    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    name = f"inprocess-{id(monkeypatch)}"
    s3.client().create_bucket(Bucket=name)
    yield S3Store(name, "site/", endpoint_url=s3.url)


class Recorder:
    """The S3 client, recording each request method's keyword arguments before passing it on."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def copy_object(self, **kwargs: Any) -> Any:
        """moto ignores a copy's CopySourceIfMatch and IfMatch (it copies anyway): S3's check, done here before
        the copy is passed on, answers 412 as S3 would."""
        self.calls.append(("copy_object", kwargs))
        source = kwargs["CopySource"]
        current = self.client.head_object(Bucket=source["Bucket"], Key=source["Key"])["ETag"]
        if kwargs.get("CopySourceIfMatch", current) != current:
            error = {"Error": {"Code": "PreconditionFailed", "Message": "At least one of the pre-conditions"}}
            raise ClientError({**error, "ResponseMetadata": {"HTTPStatusCode": 412}}, "CopyObject")
        return self.client.copy_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def recording(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return method(*args, **kwargs)

        return recording if name.endswith("_object") else method


def recorded(store: S3Store) -> Recorder:
    recorder = Recorder(store.client)
    store._client = recorder
    return recorder


def test_s3_delete_is_refused_for_a_stale_etag_and_keeps_the_bytes_it_deletes(s3_store):
    store = s3_store
    (first,) = store.write([write(PATH, b"one", None)])
    (second,) = store.write([write(PATH, b"two", store.list("v1/")[PATH])])
    assert first.info.etag != second.info.etag
    recorder = recorded(store)
    (stale,) = store.delete([Delete(PATH, first.info, keep_as="_runs/r1/" + PATH)])
    # The copy that keeps the bytes is made only of the version listed (CopySourceIfMatch).
    assert stale.state == "conflict" and store.read(PATH) == b"two" and store.read("_runs/r1/" + PATH) is None
    recorder.calls.clear()
    # moto checks a deletion's If-Match itself.
    (stale,) = store.delete([Delete(PATH, first.info)])
    assert (stale.state, stale.saved) == ("conflict", None) and store.read(PATH) == b"two"
    recorder.calls.clear()
    (done,) = store.delete([Delete(PATH, second.info, keep_as="_runs/r2/" + PATH)])
    assert done.state == "done"
    assert (done.saved, done.info, done.detail) == ("_runs/r2/" + PATH, None, "")
    assert store.read(PATH) is None and store.read("_runs/r2/" + PATH) == b"two"
    copy, deletion = [call for call in recorder.calls if call[0] != "get_object"]
    assert copy == (
        "copy_object",
        {
            "Bucket": store.bucket,
            "Key": "site/_runs/r2/" + PATH,
            "CopySource": {"Bucket": store.bucket, "Key": "site/" + PATH},
            "CopySourceIfMatch": second.info.etag,
        },
    )
    assert deletion == ("delete_object", {"Bucket": store.bucket, "Key": "site/" + PATH, "IfMatch": second.info.etag})
    assert store.delete([Delete(PATH, None)]) == [Outcome("gone")]


def test_s3_delete_without_keeping_sends_the_listed_etag(s3_store):
    store = s3_store
    (first,) = store.write([write(PATH, b"one", None)])
    recorder = recorded(store)
    assert [outcome.state for outcome in store.delete([Delete(PATH, first.info)])] == ["done"]
    assert recorder.calls == [
        ("delete_object", {"Bucket": store.bucket, "Key": "site/" + PATH, "IfMatch": first.info.etag})
    ]
    with pytest.raises(OutputError, match="listed without an ETag"):
        store.delete([Delete(PATH, ObjectInfo(PATH))])


def test_s3_restyle_copies_the_object_onto_itself_under_the_listed_etag(s3_store):
    store = s3_store
    data = gzip.compress(b"{}")
    store.write([Write(PATH, lambda: data, Headers("public", "application/json", "gzip"), {"hash": "h"}, None)])
    listed = store.list("v1/")[PATH]
    recorder = recorded(store)
    restyled = Headers(cache_control="no-cache", content_type="application/x-test", content_encoding="ignored")
    (done,) = store.write([Write(PATH, None, restyled, {"other": "x"}, listed)])
    assert (done.state, done.info, done.saved, done.detail) == ("done", listed, None, "")
    ((name, kwargs),) = recorder.calls
    key = "site/" + PATH
    assert name == "copy_object" and kwargs == {
        "Bucket": store.bucket,
        "Key": key,
        "CopySource": {"Bucket": store.bucket, "Key": key},
        "MetadataDirective": "REPLACE",
        "Metadata": {"hash": "h"},
        "CacheControl": "no-cache",
        "ContentType": "application/x-test",
        "ContentEncoding": "gzip",
        "CopySourceIfMatch": listed.etag,
        "IfMatch": listed.etag,
    }
    after = store.list("v1/")[PATH]
    assert (after.cache_control, after.content_type, after.content_encoding) == (
        "no-cache",
        "application/x-test",
        "gzip",
    )
    assert after.metadata == {"hash": "h"} and store.read(PATH) == b"{}"
    # The headers of a replaced object are not changed (the copy source's If-Match).
    (replaced,) = store.write([write(PATH, b"two", after)])
    assert store.write([Write(PATH, None, JSON, {}, listed)]) == [Outcome("conflict")]
    assert store.list("v1/")[PATH].cache_control == JSON.cache_control and store.read(PATH) == b"two"


def test_s3_names_and_a_missing_bucket(s3_store, s3):
    store = s3_store
    for path in ["_runs/b.json", "_runs/a.json", "_runs/deeper/c.json"]:
        store.write_private(path, b"{}")
    assert store.names("_runs/") == ["a.json", "b.json"]
    private = store.list("_runs/")["_runs/a.json"]
    assert (private.cache_control, private.content_type, private.content_encoding) == (
        "no-store",
        "application/json",
        None,
    )
    missing = S3Store("no-such-bucket", endpoint_url=s3.url)
    with pytest.raises(OutputError, match=r"^bucket s3://no-such-bucket does not exist$"):
        missing.names("_runs/")
    with pytest.raises(OutputError, match=r"^bucket s3://no-such-bucket does not exist \(nothing published\)$"):
        missing.list("v1/")
    with pytest.raises(OutputError, match=r"^bucket s3://no-such-bucket does not exist$"):
        s3_bucket.summarize_s3_bucket(missing)


def test_s3_bucket_summary(s3_store, s3):
    store = s3_store
    store.write_private("a.json", b"12345")
    store.write_private("b.json", b"123")
    S3Store(store.bucket, "other/", endpoint_url=s3.url).write_private("c.json", b"1")
    summary = s3_bucket.summarize_s3_bucket(store)
    assert (summary.name, summary.cors, summary.objects, summary.total_bytes) == (store.bucket, [], 2, 8)
    assert (summary.versioning, summary.lifecycle) == (False, [])
    client = s3.client()
    rule = {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 60}
    client.put_bucket_cors(Bucket=store.bucket, CORSConfiguration={"CORSRules": [rule]})
    lifecycle = {
        "ID": "old",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }
    client.put_bucket_lifecycle_configuration(Bucket=store.bucket, LifecycleConfiguration={"Rules": [lifecycle]})
    client.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    summary = s3_bucket.summarize_s3_bucket(S3Store(store.bucket, endpoint_url=s3.url))
    assert (summary.objects, summary.total_bytes, summary.versioning) == (3, 9, True)
    assert [each["AllowedOrigins"] for each in summary.cors] == [["https://example.com"]]
    assert [each["ID"] for each in summary.lifecycle] == ["old"]
    empty = s3_bucket.summarize_s3_bucket(S3Store(store.bucket, "nothing/", endpoint_url=s3.url))
    assert (empty.objects, empty.total_bytes) == (0, 0)


class Refusing:
    """An S3 client whose every request is answered with one error: an S3-compatible server's bodiless 404, or a
    refusal moto does not make (no permission)."""

    def __init__(self, code: str, status: int) -> None:
        response = {"Error": {"Code": code, "Message": "refused"}, "ResponseMetadata": {"HTTPStatusCode": status}}
        self.error = ClientError(response, "ListObjectsV2")  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return refuse


@pytest.mark.parametrize(
    ("code", "status", "text"),
    [
        ("404", 404, "^bucket s3://some-bucket does not exist$"),
        ("AccessDenied", 403, r"^cannot read bucket s3://some-bucket: HTTP 403: AccessDenied: refused$"),
    ],
)
def test_s3_bucket_summary_of_a_refused_request(code, status, text):
    store = S3Store("some-bucket")
    store._client = Refusing(code, status)
    with pytest.raises(OutputError, match=text):
        s3_bucket.summarize_s3_bucket(store)


def test_s3_names_of_a_refused_or_failed_request(monkeypatch):
    from stores import S3_ENV

    store = S3Store("some-bucket", "site/")
    store._client = Refusing("AccessDenied", 403)
    with pytest.raises(
        OutputError,
        match=r"^cannot list s3://some-bucket/site/v1/ \(nothing published\): HTTP 403: AccessDenied: refused$",
    ):
        store.list("v1/")
    # Not a conflict: the request was refused, whatever the object holds.
    refused = Outcome("failed", detail="HTTP 403: AccessDenied: refused")
    assert store.delete([Delete(PATH, ObjectInfo(PATH, etag='"e"'))]) == [refused]
    assert store.write([Write(PATH, None, JSON, {}, ObjectInfo(PATH, etag='"e"'))]) == [refused]
    with pytest.raises(
        OutputError, match=r"^cannot list s3://some-bucket/site/_runs/: HTTP 403: AccessDenied: refused$"
    ):
        store.names("_runs/")
    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    unreachable = S3Store("some-bucket", "site/", endpoint_url="http://127.0.0.1:9")
    unreachable.configure(0)
    with pytest.raises(
        OutputError, match=r"^cannot list s3://some-bucket/site/_runs/: cannot connect to the storage server$"
    ):
        unreachable.names("_runs/")
    with pytest.raises(
        OutputError, match=r"^cannot write s3://some-bucket/site/_runs/x.json: cannot connect to the storage server$"
    ):
        unreachable.write_private("_runs/x.json", b"{}")
    with pytest.raises(
        OutputError, match=rf"^cannot read s3://some-bucket/site/{PATH} \(nothing published\): cannot connect to"
    ):
        unreachable.read(PATH)
    listed = ObjectInfo(PATH, etag='"e"')
    assert unreachable.delete([Delete(PATH, listed)]) == [
        Outcome("failed", detail="cannot connect to the storage server")
    ]
    assert unreachable.write([Write(PATH, None, JSON, {}, listed)]) == [
        Outcome("failed", detail="cannot connect to the storage server")
    ]


def test_s3_bucket_summary_of_an_unreachable_server(monkeypatch):
    from stores import S3_ENV

    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    store = S3Store("some-bucket", endpoint_url="http://127.0.0.1:9")
    store.configure(0)
    with pytest.raises(
        OutputError, match=r"^cannot read bucket s3://some-bucket: cannot connect to the storage server$"
    ):
        s3_bucket.summarize_s3_bucket(store)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            ClientError(
                {"Error": {"Code": "PreconditionFailed", "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": 412}},
                "PutObject",
            ),
            "HTTP 412: PreconditionFailed: no",
        ),
        (
            ClientError(
                {
                    "Error": {"Code": "EntityTooLarge", "Message": "over MAX"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "PutObject",
            ),
            "HTTP 400: EntityTooLarge: over MAX",
        ),
        (ClientError({}, "PutObject"), "HTTP"),
        (EndpointConnectionError(endpoint_url="http://x"), "cannot connect to the storage server"),
        (
            NoCredentialsError(),
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
        ),
        (OSError(" first line \nsecond"), "OSError: first line"),
        (OSError(), "OSError:"),
    ],
)
def test_s3_short_error(error, text):
    assert s3_short_error(error) == text


class HeadAnswering(Recorder):
    """The S3 client, with every HEAD of an object answered by one error code (after `before(key)`)."""

    def __init__(self, client: Any, code: str, before: Any = None) -> None:
        super().__init__(client)
        self.code, self.before = code, before

    def head_object(self, **kwargs: Any) -> Any:
        if self.before is not None:
            self.before(kwargs["Key"])
            return self.client.head_object(**kwargs)
        response = {"Error": {"Code": self.code, "Message": "head"}, "ResponseMetadata": {"HTTPStatusCode": 404}}
        raise ClientError(response, "HeadObject")  # type: ignore[arg-type]


def test_s3_listing_states_each_size_and_skips_an_object_gone_since(s3_store):
    store = s3_store
    store.write(
        [write("v1/a.json", b"12345", None), write("v1/empty.json", b"", None), write("v1/gone.json", b"x", None)]
    )
    assert {path: info.size for path, info in store.list("v1/").items()} == {
        "v1/a.json": 5,
        "v1/empty.json": 0,
        "v1/gone.json": 1,
    }
    real = store.client

    def deleted_by_another_run(key: str) -> None:  # between the listing and its HEAD: moto answers 404
        if key.endswith("gone.json"):
            real.delete_object(Bucket=store.bucket, Key=key)

    store._client = HeadAnswering(real, "", deleted_by_another_run)
    assert sorted(store.list("v1/")) == ["v1/a.json", "v1/empty.json"]
    store._client = HeadAnswering(real, "NoSuchKey")  # a server that names the missing key in its answer
    assert store.list("v1/") == {}
    store._client = HeadAnswering(real, "AccessDenied")
    with pytest.raises(
        OutputError, match=r"^cannot list s3://.*/site/v1/ \(nothing published\): HTTP 404: AccessDenied"
    ):
        store.list("v1/")


def test_s3_listing_of_an_unreachable_server(monkeypatch):
    from stores import S3_ENV

    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    store = S3Store("some-bucket", "site/", endpoint_url="http://127.0.0.1:9")
    store.configure(0)
    with pytest.raises(
        OutputError,
        match=r"^cannot list s3://some-bucket/site/v1/ \(nothing published\): cannot connect to the storage server$",
    ):
        store.list("v1/")


def test_s3_reads_of_a_missing_version_or_a_refused_read(s3_store):
    store = s3_store
    store.write([write(PATH, b"one", None)])
    assert store.read("v1/none.json") is None
    store._client = HeadAnswering(store.client, "")
    store._client.get_object = Refusing("NoSuchVersion", 404).get_object
    assert store.read_version(PATH, "v-gone") is None
    store._client = Refusing("AccessDenied", 403)
    with pytest.raises(
        OutputError, match=rf"^cannot read s3://{store.bucket}/site/{PATH} \(nothing published\): HTTP 403"
    ):
        store.read(PATH)


def test_s3_urls_and_open_store():
    from picks_export.exporters.stores.s3 import open_store, parse_s3_url

    with pytest.raises(ExportError, match="does not name a bucket"):
        parse_s3_url("s3://a..b")
    opened = open_store("s3://picks-site/pre", StoreSettings(endpoint_url="http://127.0.0.1:9"))
    assert (opened.bucket, opened.prefix, opened.endpoint_url) == ("picks-site", "pre/", "http://127.0.0.1:9")


def test_s3_a_suspended_versioning_lists_no_version_and_any_key_is_listed(s3_store, s3):
    store = s3_store
    s3.client().put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Suspended"})
    (done,) = store.write([write("v1/aXXXXb.json", b"x", None)])  # AWS answers the version id "null"; moto none
    listed = store.list("v1/")
    assert list(listed) == ["v1/aXXXXb.json"] and listed["v1/aXXXXb.json"].generation is None
    assert done.info.generation is None
