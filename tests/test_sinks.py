"""The folder sink: whole files or none, readable like any other file, never outside the destination."""

from __future__ import annotations

import os
import stat

import orjson
import pytest

from picks_export.exporters import ExportError, OutputError
from picks_export.exporters.publish import Payload, PublishPolicy, Step, content_hash
from picks_export.exporters.sinks import FolderSink, open_sink, parse_gcs_url

DAY = {"date": "2026-01-01", "generated_at": "2026-01-01T00:00:00Z", "model": "A", "signal": None,
       "groups": [{"id": "top", "name": "Top", "record": None, "picks": [{"player": "P", "result": None}]}]}


def steps(*files: tuple[str, object]) -> list[Step]:
    return [Step(Payload.of(path, "day", content), "new", None) for path, content in files]


def test_writes_every_file_readable_by_others(tmp_path):
    results = FolderSink(tmp_path).apply(steps(("v1/picks/2026-01-01.json", {}), ("v1/subsets/season.json", [])), PublishPolicy())
    assert [result.status for result in results] == ["written", "written"]
    written = tmp_path / "v1/picks/2026-01-01.json"
    assert written.read_bytes() == b"{}" and (tmp_path / "v1/subsets/season.json").read_bytes() == b"[]"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask
    assert not [path for path in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("path", ["../escape.json", "/etc/passwd", "v1/../../x.json", "v1//x.json", "v1/.hidden.json"])
def test_refuses_paths_that_are_not_plain(tmp_path, path):
    with pytest.raises(OutputError, match="plain relative path"):
        FolderSink(tmp_path / "dest").apply(steps((path, {})), PublishPolicy())
    assert not (tmp_path / "escape.json").exists()


def test_a_failure_midway_leaves_no_new_file(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "blocked").write_text("a file where a folder is needed")
    results = FolderSink(tmp_path).apply(steps(("v1/picks/a.json", {}), ("v1/blocked/b.json", {})), PublishPolicy())
    assert {result.status for result in results} == {"failed"}
    assert "cannot write" in results[0].detail
    assert [path.name for path in (tmp_path / "v1").rglob("*") if path.is_file()] == ["blocked"]


def test_listing_reads_hash_and_day_summary_from_the_files(tmp_path):
    sink = FolderSink(tmp_path)
    sink.apply(steps(("v1/picks/2026-01-01.json", DAY)), PublishPolicy())
    (tmp_path / "v1/picks/2026-01-02.json").write_bytes(b"{broken")
    (tmp_path / "v1/picks/.2026-01-03.json.x.tmp").write_bytes(b"{}")  # a staging leftover is not published
    listed = sink.list("v1/picks/")
    assert sorted(listed) == ["v1/picks/2026-01-01.json", "v1/picks/2026-01-02.json"]
    info = listed["v1/picks/2026-01-01.json"]
    # the hash leaves out generated_at: the same document generated later compares equal
    assert info.content_hash == content_hash({**DAY, "generated_at": "2030-01-01T00:00:00Z"})
    assert (info.picks, info.graded) == (1, False)
    assert listed["v1/picks/2026-01-02.json"].content_hash is None
    assert sink.list("v9/") == {}
    assert orjson.loads(sink.read("v1/picks/2026-01-01.json")) == DAY and sink.read("v1/none.json") is None


@pytest.mark.parametrize(
    ("dest", "expected"),
    [("gs://picks-site", ("picks-site", "")), ("gs://picks-site/", ("picks-site", "")),
     ("gs://picks.example.com/staging/", ("picks.example.com", "staging/")), ("gs://a_b-c/x/y", ("a_b-c", "x/y/"))],
)
def test_bucket_urls(dest, expected):
    assert parse_gcs_url(dest) == expected


@pytest.mark.parametrize("dest", ["gs://", "gs://UPPER", "gs://ab", "gs://-bucket", "gs://a..b", "gs://b/../x",
                                  "gs://" + "x" * 64, "s3://bucket"])
def test_bad_destinations_are_refused_before_any_request(dest):
    with pytest.raises(ExportError, match="bucket|prefix|unsupported"):
        open_sink(dest)
