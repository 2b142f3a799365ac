"""The table of file kinds: every published path has exactly one kind, and what the rest of the package reads from
the table (publishing order, caching, content types, schemas, run records) is what the published files rely on."""

from __future__ import annotations

from importlib import resources

import pytest

from picks_export.exporters import kinds, layout, publish, validation
from picks_export.exporters.kinds import FILE_KINDS, KIND, content_type, kind_of_path
from picks_export.exporters.server.page import PAGE_FILES, page_content_type

# A path of each kind, at the prefix's root, under a model's folder and under another prefix.
PATHS: dict[str, list[str]] = {
    "day": ["v1/picks/2026-02-07.json", "v1/models/m2/picks/2026-02-07.json", "picks/2026-02-07.json"],
    "season": [
        "v1/subsets/season.json",
        "v1/subsets/seasons/2025-26.json",
        "v2/models/m2/subsets/seasons/2025-26.json",
    ],
    "parquet": ["v1/subsets/seasons/2025-26.parquet", "v2/models/m2/subsets/seasons/2025-26.parquet"],
    "index": ["v1/picks/index.json", "v1/models/m2/picks/index.json"],
    "manifest": ["v1/manifest.json", "manifest.json", "site/api/v1/manifest.json"],
    "status": ["v1/status.json", "status.json"],
    "schema": ["v1/schemas/picks-day.schema.json", "schemas/status.schema.json"],
    "types": ["v1/schemas/picks-export.d.ts"],
    "page": ["v1/page/index.html", "v1/page/page.css", "page/page.js"],
}
NOT_PUBLISHED = [
    "v1/picks/2026-02-07.txt",
    "v1/picks/index.json.bak",
    "v1/subsets/seasons/2025.json",
    "v1/subsets/seasons/season.json",
    "v1/subsets/season.parquet",
    "v1/subsets/seasons/2025.parquet",
    "v1/picks/2026-02-07.parquet",
    "v1/mypage/index.html",
    "v1/page/other.js",
    "v1/schemas/notes.json",
    "v1/other.json",
    "_runs/01764000000000000000-1a2b3c4d.json",
    "v1/picks/2026-02-07.json/extra",
    "",
]


def test_the_table_names_each_kind_once_in_publishing_order():
    assert [kind.name for kind in FILE_KINDS] == list(KIND)
    assert sorted(KIND) == sorted(PATHS)
    assert [kind.phase for kind in FILE_KINDS] == sorted(kind.phase for kind in FILE_KINDS)


@pytest.mark.parametrize(("kind", "path"), [(kind, path) for kind, paths in PATHS.items() for path in paths])
def test_each_published_path_has_exactly_one_kind(kind, path):
    assert kind_of_path(path) == kind
    assert kind_of_path(path.replace("/", "\\")) == kind
    assert [each.name for each in FILE_KINDS if each.matches(path)] == [kind]
    assert layout.kind_of_path(path) == kind
    assert validation.kind_of_path(path) == (kind if KIND[kind].schema else None)


@pytest.mark.parametrize("path", NOT_PUBLISHED)
def test_other_paths_have_no_kind(path):
    assert kind_of_path(path) is None
    assert not [each.name for each in FILE_KINDS if each.matches(path)]


def test_the_publishing_names_read_from_the_table_keep_their_values():
    assert set(publish.KINDS) == set(PATHS)
    assert publish.PHASES == (
        ("schema", "types", "day"),
        ("season", "parquet"),
        ("index",),
        ("manifest", "page", "status"),
    )
    assert publish.REBUILT_KINDS == ("index", "manifest", "status")
    assert publish.UNRECORDED_KINDS == ("status",)
    assert publish.CONTENT_TYPE == "application/json"
    assert publish.CONTENT_TYPES == {"types": "application/typescript", "parquet": "application/vnd.apache.parquet"}
    assert publish.DEFAULT_CACHE_CONTROL == {
        "day": "public, max-age=300",
        "season": "public, max-age=3600",
        "index": "public, max-age=300",
        "schema": "public, max-age=86400",
    }
    assert publish.SHARED_CACHE_CONTROL == {
        "manifest": "index",
        "types": "schema",
        "page": "index",
        "parquet": "season",
    }
    assert publish.STATUS_CACHE_CONTROL == "no-cache"


def test_every_kind_has_a_cache_control_and_the_shared_ones_follow_theirs():
    policy = publish.PublishPolicy(cache_control={"day": "d", "season": "s", "index": "i", "schema": "x"})
    assert policy.cache_control == {
        "day": "d",
        "season": "s",
        "index": "i",
        "schema": "x",
        "parquet": "s",
        "manifest": "i",
        "types": "x",
        "page": "i",
        "status": "no-cache",
    }
    assert set(publish.PublishPolicy().cache_control) == set(KIND)
    for kind in FILE_KINDS:
        # Either an option of its own (with a default), another kind's, or a fixed value: exactly one of them.
        assert (kind.cache_option is not None) + (kind.cache_like is not None) + (
            kind.cache_control is not None and kind.cache_option is None
        ) == 1
        assert kind.cache_option is None or (kind.cache_option == f"cache_{kind.name}" and kind.cache_control)
        assert kind.cache_like is None or KIND[kind.cache_like].cache_option is not None


def test_an_explicit_cache_control_of_a_shared_kind_is_kept():
    policy = publish.PublishPolicy(cache_control={"index": "i", "manifest": "m", "status": "no-store"})
    assert (policy.cache_control["manifest"], policy.cache_control["page"], policy.cache_control["status"]) == (
        "m",
        "i",
        "no-store",
    )
    assert "day" not in kinds.cache_controls({"index": "i"})


def test_content_types():
    assert {kind.name: content_type(kind.name, "v1/x") for kind in FILE_KINDS if kind.content_type} == {
        "day": "application/json",
        "season": "application/json",
        "index": "application/json",
        "manifest": "application/json",
        "status": "application/json",
        "schema": "application/json",
        "types": "application/typescript",
        "parquet": "application/vnd.apache.parquet",
    }
    for name, expected in PAGE_FILES.items():
        assert content_type("page", f"v1/page/{name}") == page_content_type(f"v1/page/{name}") == expected
    assert content_type("page", "v1/page/old.js") == content_type("page") == "application/octet-stream"
    assert page_content_type("v1/mypage/index.html") is None and page_content_type("v1/page.js") is None


def test_each_schema_of_the_table_is_shipped_and_each_shipped_schema_has_its_kind():
    shipped = {
        each.name
        for each in resources.files("picks_export").joinpath("schemas", "json").iterdir()
        if each.name.endswith(".schema.json")
    }
    assert set(validation.SCHEMA_FILES.values()) == shipped
    # The order the schemas are published in and the manifest names them in.
    assert list(validation.SCHEMA_FILES) == ["day", "season", "index", "manifest", "status"]
    for kind, name in validation.SCHEMA_FILES.items():
        assert KIND[kind].schema == name and kind_of_path(layout.schema_path("v1/", name)) == "schema"
    assert kind_of_path(layout.schema_path("v1/", validation.TYPES_FILE)) == "types"


def test_the_kinds_at_the_prefix_root_are_listed_alone_and_rebuilt():
    for kind in FILE_KINDS:
        assert kind.listed_alone == (kind.name in ("manifest", "status"))
        assert not kind.listed_alone or kind.rebuilt
        assert kind.recorded or kind.rebuilt  # a file a rollback does not put back is one it rebuilds
