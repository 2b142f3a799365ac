"""The container image: the Dockerfile passes hadolint; scripts/container.sh builds the image (over a base made from
Debian's packages, as no registry is needed) and the tool runs in it as the Dockerfile says: `--version`, then `demo`
and `daily` in a mounted folder, publishing the same files as the installed package does on the host.

The image is built once per session; the base is kept in podman's storage and reused. Without podman (or mmdebstrap
while the base is missing) the tests are skipped with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "container.sh"
IMAGE = "localhost/picks-export:test"
BASE = os.environ.get("PICKS_EXPORT_BASE_IMAGE", "localhost/picks-export-base:bookworm")
TODAY = "2026-02-07"
# The packages of the test extra: none may be in the image.
TEST_ONLY = ("pytest", "hypothesis", "jsonschema", "moto", "playwright", "importlinter", "ruff", "mypy")
# Runtime dependencies each command loads only when a run needs them.
LAZY_RUNTIME = (
    "duckdb",
    "google.cloud.storage",
    "google.cloud.bigquery",
    "google.cloud.bigquery_storage",
    "pyarrow",
    "boto3",
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"container tests cannot run under CI: {reason}")
    pytest.skip(reason)


def _host_tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} is not installed next to {sys.executable}"
    return path


def _podman_problem() -> str | None:
    """Why podman cannot build the image here, or None."""
    if shutil.which("podman") is None:
        return "podman is not installed (apt-get install podman runc mmdebstrap)"
    info = subprocess.run(["podman", "info"], capture_output=True, text=True, timeout=120)
    if info.returncode != 0:
        return f"podman cannot run here: {info.stderr.strip()[-500:]}"
    has_base = subprocess.run(["podman", "image", "exists", BASE], timeout=60).returncode == 0
    if not has_base and BASE.startswith("localhost/") and shutil.which("mmdebstrap") is None:
        return f"no base image {BASE} and no mmdebstrap to build it (apt-get install mmdebstrap)"
    return None


@pytest.fixture(scope="module")
def image() -> str:
    problem = _podman_problem()
    if problem:
        _unavailable(problem)
    build = subprocess.run(
        ["bash", str(SCRIPT), "build"],
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PICKS_EXPORT_IMAGE": IMAGE},
    )
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]
    return IMAGE


def in_container(*args: str, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`picks-export ARGS` (or the entry point given in options) in the image, without network."""
    return subprocess.run(
        ["bash", str(SCRIPT), "run", "--network=none", f"--env=PICKS_EXPORT_TODAY={TODAY}", *options, "--", *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PICKS_EXPORT_IMAGE": IMAGE},
    )


def published(folder: Path) -> dict[str, Path]:
    """The files under folder by relative path, a run record's named alike (its run id differs between runs)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            name = str(path.relative_to(folder))
            files["_runs/{run}.json" if name.startswith("_runs/") else name] = path
    return files


def without_time(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "generated_at"}


def test_dockerfile_passes_hadolint() -> None:
    hadolint = _host_tool("hadolint")
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_as_a_user_with_runtime_dependencies_only(image: str) -> None:
    config = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{json .Config}}", image], capture_output=True, timeout=60
    )
    assert config.returncode == 0, config.stderr
    settings = orjson.loads(config.stdout)
    assert settings["Entrypoint"] == ["picks-export"]
    assert settings["User"] == "10001:10001"
    who = in_container("-u", options=("--entrypoint=id",))
    assert (who.returncode, who.stdout.strip()) == (0, "10001"), who.stderr

    probe = "import importlib.util as u, sys; print(*(m for m in sys.argv[1:] if u.find_spec(m) is None))"
    absent = in_container("-c", probe, *TEST_ONLY, *LAZY_RUNTIME, options=("--entrypoint=python3",))
    assert absent.returncode == 0, absent.stderr
    assert absent.stdout.split() == list(TEST_ONLY)


def test_version_and_exit_codes_are_the_packages(image: str) -> None:
    host = subprocess.run([_host_tool("picks-export"), "--version"], capture_output=True, text=True, timeout=60)
    result = in_container("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == host.stdout and result.stdout.startswith("picks-export ")
    # Exit codes reach the container's caller (a Cloud Run job retries on some of them).
    refused = in_container("daily", "--date", "2026-02-30")
    assert refused.returncode == 2 and "expected YYYY-MM-DD, got 2026-02-30" in refused.stderr, refused.stderr


def test_demo_then_daily_publish_what_the_installed_package_publishes(image: str, tmp_path: Path) -> None:
    mounted = tmp_path / "container"
    mounted.mkdir()
    mounted.chmod(0o777)  # the image's user (uid 10001) writes the warehouse and public/ here
    mount = (f"--volume={mounted}:/data", "--workdir=/data")
    demo = in_container("demo", options=mount)
    assert demo.returncode == 0, demo.stderr
    assert "wrote warehouse.duckdb" in demo.stdout and (mounted / "warehouse.duckdb").is_file()
    daily = in_container("daily", options=mount)
    assert daily.returncode == 0, daily.stderr

    on_host = tmp_path / "host"
    on_host.mkdir()
    for command in ("demo", "daily"):
        subprocess.run(
            [_host_tool("picks-export"), command],
            cwd=on_host,
            check=True,
            capture_output=True,
            timeout=600,
            env={**os.environ, "PICKS_EXPORT_TODAY": TODAY},
        )
    container_files = published(mounted / "public")
    host_files = published(on_host / "public")
    assert container_files.keys() == host_files.keys()
    assert {
        f"v1/picks/{TODAY}.json",
        "v1/manifest.json",
        "v1/status.json",
        "_runs/{run}.json",
    } <= container_files.keys()
    # Every document but the status file (which names its run) is the host's, but for the time it was made.
    documents = [name for name in container_files if name.startswith("v1/") and name != "v1/status.json"]
    assert len(documents) > 50
    for name in documents:
        container_bytes, host_bytes = container_files[name].read_bytes(), host_files[name].read_bytes()
        if name.endswith(".json"):
            assert without_time(orjson.loads(container_bytes)) == without_time(orjson.loads(host_bytes)), name
        else:
            assert container_bytes == host_bytes, name

    validate = subprocess.run(
        [_host_tool("picks-export"), "validate", str(mounted / "public")], capture_output=True, text=True, timeout=600
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
