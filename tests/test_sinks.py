"""The folder sink: whole files or none, readable like any other file, never outside the destination."""

from __future__ import annotations

import os
import stat

import pytest

from picks_export.exporters import OutputError
from picks_export.exporters.sinks import FolderSink


def test_writes_every_file_readable_by_others(tmp_path):
    FolderSink(tmp_path).publish([("v1/picks/2026-01-01.json", b"{}"), ("v1/subsets/season.json", b"[]")])
    written = tmp_path / "v1/picks/2026-01-01.json"
    assert written.read_bytes() == b"{}" and (tmp_path / "v1/subsets/season.json").read_bytes() == b"[]"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask
    assert not [path for path in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("path", ["../escape.json", "/etc/passwd", "v1/../../x.json", "v1//x.json", "v1/.hidden.json"])
def test_refuses_paths_that_are_not_plain(tmp_path, path):
    with pytest.raises(OutputError, match="plain relative path"):
        FolderSink(tmp_path / "dest").publish([(path, b"{}")])
    assert not (tmp_path / "escape.json").exists()


def test_a_failure_midway_leaves_no_new_file(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "blocked").write_text("a file where a folder is needed")
    with pytest.raises(OutputError, match="cannot write"):
        FolderSink(tmp_path).publish([("v1/picks/a.json", b"{}"), ("v1/blocked/b.json", b"{}")])
    assert [path.name for path in (tmp_path / "v1").rglob("*") if path.is_file()] == ["blocked"]
