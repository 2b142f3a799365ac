"""The picks-export benchmark: backfill, daily, the one-process-per-date baseline and the floor, on warehouses
of growing size generated with the demo's logic. Writes bench/results/results.md (and .json, and a PNG plot
when matplotlib is installed) and prints the table.

    python bench/run.py                 # sizes 1,4,16,32 (32x is about one million subset_picks rows)
    python bench/run.py --sizes 1,4     # fewer sizes
    python bench/run.py --quick --out /tmp/bench   # a smoke run on two tiny warehouses, in seconds

Run it with the Python of a venv where picks-export is installed (`pip install '.[bench]'`): the commands are
timed as that venv's `picks-export` console script, each in a new process.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from picks_export.exporters import demo
from picks_export.exporters.engines.duckdb_engine import write_warehouse

BENCH = Path(__file__).resolve().parent
TESTS = BENCH.parent / "tests"  # tests/fakegcs.py: the fake-gcs-server launcher the bucket case shares with the tests
SEED = 7
TODAY = demo.SCALED_TODAY  # stand-in for "today": after the last season's finale, so every season is complete
EPOCH = "1782864000"  # SOURCE_DATE_EPOCH (2026-07-01): the same bytes on every run
GZIP_LEVEL = 9  # what the bucket sink uses

# size label -> (seasons, enabled models, subset definitions); 1 is the demo season itself
SIZES: dict[str, tuple[int, int, int]] = {
    "1": (1, 2, 8),
    "4": (2, 4, 8),
    "16": (4, 8, 8),
    "32": (4, 8, 16),
    "35": (2, 16, 16),  # a quarter of 140x: the same models and groups, a quarter of the seasons
    "140": (8, 16, 16),  # the 4.5M-row warehouse
    "35v": (2, 16, 16),  # 35x with eight more versions a day before the lock: 3.8M rows, most of them hidden
    "140v": (8, 16, 16),  # 140x with two more versions a day before the lock: the shape once out of memory, 6.9M rows
}
# The share of days with a version computed after tip-off (hidden by the lock), where it is not the demo's.
LATE_RATES: dict[str, float] = {"35": 0.5, "140": 0.5, "35v": 0.5, "140v": 0.5}
# Versions computed before the lock on each model's day beyond the demo's 1-4, where there are more.
EXTRA_VERSIONS: dict[str, int] = {"35v": 8, "140v": 2}
# --quick: the demo up to these days (a few days each), so the smoke run takes seconds
QUICK_SIZES: dict[str, dt.date] = {"q5": dt.date(2025, 10, 25), "q12": dt.date(2025, 11, 1)}
# The sizes whose history is also published to fake-gcs-server for the bucket case (--bucket-sizes), and the one
# quick size that has it with --quick (a few seconds more for the test suite's smoke run).
BUCKET_SIZES = "1,4,16,32,35,140"
QUICK_BUCKET_SIZE = "q12"


@dataclass
class Child:
    """One finished child process: wall seconds, peak RSS and what it printed."""

    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system, its reaped children (build workers) included
    tree_pss_mb: float = 0.0  # peak of the memory (PSS) summed over it and its children


@dataclass
class Warehouse:
    label: str
    path: Path
    rows: dict[str, int]
    first: dt.date  # first and last date of the backfill range: whole seasons
    last: dt.date
    models: list[tuple[str, str, bool]]  # enabled (system_id, code, is_champion), champion first
    dates: list[dt.date]  # dates with picks of any enabled model
    shape: str


@dataclass
class Result:
    run: str
    label: str
    scope: str
    shape: str
    pick_rows: int
    shown_picks: int
    backfill_s: float
    backfill_rss_mb: float
    backfill_mode: str
    queries: int
    files: int
    bytes_raw: int
    bytes_gzip: int
    daily_s: float
    daily_rss_mb: float
    daily_queries: int
    baseline_s: float
    baseline_runs: int
    baseline_measured: int
    baseline_rss_mb: float
    floor_s: float
    floor_process_s: float
    floor_rss_mb: float
    shares: dict[str, float | None] = field(default_factory=dict)
    backfill_cpu_s: float = 0.0  # CPU seconds of the backfill process and its build workers
    backfill_tree_pss_mb: float = 0.0  # peak memory (PSS) summed over the backfill process and its build workers
    daily_all_empty_s: float = 0.0  # `daily --all-models` into an empty folder
    daily_all_history_s: float = 0.0  # the same run over the folder holding the backfilled history
    small_daily_s: float = 0.0  # `daily` of the champion over the history (median of 3)
    bare_s: float = 0.0  # python -c "import duckdb, orjson; duckdb.connect(W).execute('SELECT 1')" (median of 3)
    bucket_backfill_s: float = 0.0  # the backfill that published the history to fake-gcs-server (0: not measured)
    daily_all_bucket_empty_s: float = 0.0  # `daily --all-models` into an empty bucket (median of 3)
    daily_all_bucket_history_s: float = 0.0  # the same run over the bucket holding the backfilled history
    bucket_note: str = ""  # why the bucket case was not measured for this run

    @property
    def cpu_ratio(self) -> float:
        return self.backfill_cpu_s / self.backfill_s

    @property
    def history_ratio(self) -> float:
        return self.daily_all_history_s / self.daily_all_empty_s

    @property
    def bucket_measured(self) -> bool:
        return self.daily_all_bucket_empty_s > 0

    @property
    def bucket_history_ratio(self) -> float:
        return self.daily_all_bucket_history_s / self.daily_all_bucket_empty_s

    @property
    def bare_ratio(self) -> float:
        return self.small_daily_s / self.bare_s

    @property
    def baseline_ratio(self) -> float:
        return self.baseline_s / self.backfill_s

    @property
    def floor_ratio(self) -> float:
        """Like for like: the backfill process against the floor's process, both with interpreter start."""
        return self.backfill_s / self.floor_process_s

    @property
    def floor_work_ratio(self) -> float:
        """The backfill process against the floor's work alone (no interpreter start, no imports)."""
        return self.backfill_s / self.floor_s


class Spawner:
    """Runs child processes through bench/spawn.py, so that their peak RSS is not inflated by ours."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def run(self, command: list[str], env: dict[str, str] | None = None) -> Child:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, str(BENCH / "spawn.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        assert self._process.stdin and self._process.stdout
        # The previous run's files go to disk first: a run should not pay for the writeback of another's (a 140x
        # backfill leaves about 500 MB of dirty pages, which throttle the next run's writes for seconds).
        os.sync()
        self._process.stdin.write(json.dumps({"command": command, "env": env}) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        return Child(answer["seconds"], answer["max_rss_mb"], answer["returncode"], answer["stdout"], answer["stderr"],
                     answer["cpu_seconds"], answer["tree_pss_mb"])  # fmt: skip

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin
            self._process.stdin.close()
            self._process.wait()


SPAWNER = Spawner()


def run_child(command: list[str], env: dict[str, str] | None = None) -> Child:
    return SPAWNER.run(command, env)


def checked(child: Child, what: str) -> Child:
    if child.returncode != 0:
        raise SystemExit(f"{what} failed (exit {child.returncode}):\n{child.stderr[-2000:]}")
    return child


def child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PICKS_EXPORT_")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env["COLUMNS"] = "200"  # --help output unwrapped, so option names are found whole
    return env


def tool() -> str:
    found = shutil.which("picks-export", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit(f"picks-export is not installed next to {sys.executable}: pip install '.[bench]' first")
    return found


QUERIES = re.compile(r"([\d,]+) warehouse queries")


def queries_of(child: Child) -> int:
    found = QUERIES.findall(child.stdout + child.stderr)
    if not found:
        raise SystemExit(f"no 'N warehouse queries' in the command's output:\n{child.stdout[-1000:]}")
    return int(found[-1].replace(",", ""))


def generator_digest() -> str:
    """Cached warehouses are keyed by the generator's source too: a changed generator makes new ones."""
    return hashlib.sha256(Path(demo.__file__).read_bytes()).hexdigest()[:12]


def warehouse_arguments(parser: argparse.ArgumentParser, size: str) -> None:
    """The options of a script that times one generated warehouse: its size and the folder caching it."""
    parser.add_argument("--size", default=size, choices=sorted(SIZES), help=f"warehouse size (default {size})")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache", help="folder of the generated warehouses")


def cached_warehouse(options: argparse.Namespace) -> Warehouse:
    """The warehouse `warehouse_arguments` named, generated once into its cache."""
    options.cache.mkdir(parents=True, exist_ok=True)
    return build_warehouse(options.size, options.cache)


def build_warehouse(label: str, cache: Path) -> Warehouse:
    if label in QUICK_SIZES:
        today = QUICK_SIZES[label]
        key, shape = f"quick-{today}", "demo to " + today.isoformat()
    else:
        seasons, models, subsets = SIZES[label]
        key, shape = f"s{seasons}-m{models}-u{subsets}", f"{seasons} × {models} × {subsets}"
        if label in LATE_RATES:
            key += f"-late{LATE_RATES[label]}"
        if label in EXTRA_VERSIONS:
            key += f"-versions{EXTRA_VERSIONS[label]}"
    path = cache / f"warehouse-{key}-seed{SEED}-{generator_digest()}.duckdb"
    meta_path = path.with_suffix(".json")
    if not (path.is_file() and meta_path.is_file()):
        started = time.perf_counter()
        print(f"generating the {label}× warehouse ({shape})…", file=sys.stderr, flush=True)
        rows = (
            demo.generate_demo(today, SEED)
            if label in QUICK_SIZES
            else demo.generate_scaled(*SIZES[label], SEED, **late_rate(label), **extra_versions(label))
        )
        write_warehouse(path, rows)
        meta_path.write_text(json.dumps({table: len(values) for table, values in rows.items()}))
        print(f"  {len(rows['subset_picks']):,} pick rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    counts = json.loads(meta_path.read_text())
    connection = duckdb.connect(str(path), read_only=True)
    try:
        models = connection.execute(
            "SELECT system_id, code, is_champion FROM nba_predictions.models WHERE enabled"
            " ORDER BY is_champion DESC, code"
        ).fetchall()
        dates = [row[0] for row in connection.execute(
            "SELECT DISTINCT game_date FROM nba_predictions.subset_picks ORDER BY 1").fetchall()]  # fmt: skip
    finally:
        connection.close()
    first = dt.date(dates[0].year if dates[0].month >= 8 else dates[0].year - 1, 8, 1)
    last = dt.date(dates[-1].year + (1 if dates[-1].month >= 8 else 0), 7, 31)
    return Warehouse(label, path, counts, first, last, [tuple(m) for m in models], dates, shape)  # type: ignore[misc]


def late_rate(label: str) -> dict[str, float]:
    return {"late_rate": LATE_RATES[label]} if label in LATE_RATES else {}


def extra_versions(label: str) -> dict[str, int]:
    return {"extra_versions": EXTRA_VERSIONS[label]} if label in EXTRA_VERSIONS else {}


def supports_all_models(command: str) -> bool:
    child = run_child([command, "backfill", "--help"], child_env())
    return "--all-models" in child.stdout


def common_args(warehouse: Warehouse, dest: Path | str) -> list[str]:
    return ["--warehouse", str(warehouse.path), "--dest", str(dest), "--today", TODAY.isoformat()]


def backfill_commands(
    command: str, warehouse: Warehouse, dest: Path | str, scope: str, all_models: bool
) -> list[list[str]]:
    """The backfill of every season: one process, or (without --all-models) one per model."""
    # The quality gate runs (its cost is measured); a finding in the generated history (the 32x warehouse has a
    # steady subset missing a date) is a warning, not a refusal.
    base = [command, "backfill", "--start", warehouse.first.isoformat(), "--end", warehouse.last.isoformat(),
            *common_args(warehouse, dest)]  # fmt: skip
    if scope == "champion":
        return [base]
    if all_models:
        return [[*base, "--all-models"]]
    return [[*base, "--model", code] for _, code, _ in warehouse.models]


def floor_command(warehouse: Warehouse, models: list[tuple[str, str, bool]], out: Path, dest: Path) -> list[str]:
    """bench/floor.py over every season of `warehouse` for `models`: its figures go to `out`, its files to `dest`."""
    return [sys.executable, str(BENCH / "floor.py"), str(out), str(dest), str(warehouse.path),
            warehouse.first.isoformat(), warehouse.last.isoformat(),
            *(f"{system_id}={code}" for system_id, code, _ in models)]  # fmt: skip


def fake_gcs_missing() -> str | None:
    """None when the bucket case can start fake-gcs-server (the launcher of tests/fakegcs.py, whose wrapper comes
    with the test extra), else why it cannot."""
    if not (TESTS / "fakegcs.py").is_file():
        return "tests/fakegcs.py is not in this checkout"
    if str(TESTS) not in sys.path:
        sys.path.append(str(TESTS))  # appended: nothing of tests/ shadows an installed module
    try:
        import fakegcs  # noqa: F401
    except ImportError as missing:
        return f"{missing.name or missing} is not installed (it comes with the test extra: pip install '.[test]')"
    return None


PLAN_NEW = re.compile(r"plan: [\d,]+ files: ([\d,]+) new")


def planned_new(child: Child, what: str) -> int:
    """The files a run's plan line counts as new (not published yet)."""
    found = PLAN_NEW.findall(child.stdout + child.stderr)
    if not found:
        raise SystemExit(f"{what}: no plan line in the command's output:\n{child.stdout[-1000:]}")
    return int(found[-1].replace(",", ""))


def measure_bucket(
    command: str, warehouse: Warehouse, scope: str, all_models: bool, daily_date: dt.date
) -> tuple[float, float, float]:
    """The bucket case on fake-gcs-server, one server per warehouse (its in-memory objects go with it): the history
    published once by the backfill, then `daily --all-models` of `daily_date` over that bucket and into a new empty
    bucket, alternating, three times each. Returns (backfill s, median history s, median empty s)."""
    from fakegcs import FakeGCS, client_for

    server = FakeGCS()
    try:
        client = client_for(server.url)
        env = {**child_env(), "STORAGE_EMULATOR_HOST": server.url}  # anonymous credentials, as in the tests
        history = f"bench-{warehouse.label}-{scope}-history"
        client.create_bucket(history)
        backfills = [checked(run_child(args, env), "backfill into the bucket")
                     for args in backfill_commands(command, warehouse, f"gs://{history}", scope, all_models)]  # fmt: skip
        all_daily = [command, "daily", "--date", daily_date.isoformat(), "--all-models"]
        history_s, empty_s = [], []
        for attempt in range(3):
            empty = f"bench-{warehouse.label}-{scope}-empty-{attempt}"
            client.create_bucket(empty)
            over = checked(
                run_child([*all_daily, *common_args(warehouse, f"gs://{history}")], env),
                "daily on the bucket's history",
            )
            into = checked(
                run_child([*all_daily, *common_args(warehouse, f"gs://{empty}")], env), "daily into an empty bucket"
            )
            # the history run must find every file already published, the other none
            if planned_new(over, "daily on the bucket's history") or not planned_new(
                into, "daily into an empty bucket"
            ):
                raise SystemExit(f"the bucket case did not see the history it expected:\n{over.stdout}\n{into.stdout}")
            history_s.append(over.seconds)
            empty_s.append(into.seconds)
        return sum(child.seconds for child in backfills), median(history_s), median(empty_s)
    finally:
        server.stop()


def folder_bytes(folder: Path) -> tuple[int, int, int]:
    """(files, raw bytes, gzip bytes as published: level 9, mtime 0)."""
    files = sorted(path for path in folder.rglob("*.json") if not path.name.startswith("."))
    raw = sum(path.stat().st_size for path in files)
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        compressed = sum(pool.map(gzip_size, files, chunksize=64))
    return len(files), raw, compressed


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0))


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def sample(items: list[Any], count: int) -> list[Any]:
    """`count` items spread evenly over `items` (all of them when count >= len)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]


def measure(
    command: str,
    warehouse: Warehouse,
    scope: str,
    all_models: bool,
    work: Path,
    baseline_sample: int,
    bucket_note: str | None = None,
) -> Result:
    """One warehouse's figures; the bucket case too when `bucket_note` is None (otherwise it says why not)."""
    env = child_env()
    models = warehouse.models[:1] if scope == "champion" else warehouse.models
    size = warehouse.label if warehouse.label in QUICK_SIZES else f"{warehouse.label}×"
    run_name = size + (" champion" if scope == "champion" else "")
    print(f"{run_name}: backfill…", file=sys.stderr, flush=True)

    dest = work / f"{warehouse.label}-{scope}-backfill"
    shutil.rmtree(dest, ignore_errors=True)
    backfills = [
        checked(run_child(args, env), "backfill")
        for args in backfill_commands(command, warehouse, dest, scope, all_models)
    ]
    files, raw, compressed = folder_bytes(dest)
    mode = "1 process" if len(backfills) == 1 else f"{len(backfills)} processes (--model each; no --all-models)"

    # the shares: the same backfill once more, in-process under the timing harness
    harness_dest = work / f"{warehouse.label}-{scope}-harness"
    shutil.rmtree(harness_dest, ignore_errors=True)
    spent: dict[str, float | None] = {}
    # in one process: the hooks time what runs in this process, not in build workers
    harness_env = {**env, "PICKS_EXPORT_BUILD_WORKERS": "1"}
    for args in backfill_commands(command, warehouse, harness_dest, scope, all_models):
        out = work / "harness.json"
        checked(
            run_child([sys.executable, str(BENCH / "harness.py"), str(out), "--", *args[1:]], harness_env), "harness"
        )
        for category, value in json.loads(out.read_text())["seconds"].items():
            before = spent.get(category, 0.0)
            # a category the harness could not hook stays n/a (None) over every process
            spent[category] = None if value is None or before is None else before + value
    total = sum(value for value in spent.values() if value is not None)
    share_of = {category: (None if value is None else value / total) for category, value in spent.items()}
    shutil.rmtree(harness_dest, ignore_errors=True)

    # the daily job of the champion, on a date of the last season, over the published site
    print(f"{run_name}: daily…", file=sys.stderr, flush=True)
    last_season = [day for day in warehouse.dates if day >= warehouse.last - dt.timedelta(days=364)]
    daily_date = last_season[len(last_season) // 2]
    daily_args = [command, "daily", "--date", daily_date.isoformat(), *common_args(warehouse, dest)]
    daily = checked(run_child(daily_args, env), "daily")
    small_daily = median([checked(run_child(daily_args, env), "daily").seconds for _ in range(3)])
    bare_args = [
        sys.executable,
        "-c",
        f"import duckdb, orjson; duckdb.connect({str(warehouse.path)!r}, read_only=True).execute('SELECT 1')",
    ]
    bare = median([checked(run_child(bare_args, env), "bare python").seconds for _ in range(3)])
    # every model's daily: over the published history, and the same run into an empty folder
    empty_dest = work / f"{warehouse.label}-{scope}-empty"
    history_s, empty_s = [], []
    for _ in range(3):
        shutil.rmtree(empty_dest, ignore_errors=True)
        all_daily = [command, "daily", "--date", daily_date.isoformat(), "--all-models"]
        history_s.append(
            checked(run_child([*all_daily, *common_args(warehouse, dest)], env), "daily on history").seconds
        )
        empty_s.append(
            checked(run_child([*all_daily, *common_args(warehouse, empty_dest)], env), "daily into empty").seconds
        )
    shutil.rmtree(empty_dest, ignore_errors=True)
    # the same on a bucket: its history published by the backfill, then every model's daily over it and into an empty one
    bucket_s = (0.0, 0.0, 0.0)
    if bucket_note is None:
        print(f"{run_name}: bucket (fake-gcs-server)…", file=sys.stderr, flush=True)
        bucket_s = measure_bucket(command, warehouse, scope, all_models, daily_date)

    # the baseline: one process per date and model, on a sample, extrapolated linearly to every run
    runs = [(day, code, champion) for _, code, champion in models for day in warehouse.dates]
    chosen = sample(runs, baseline_sample)
    print(f"{run_name}: baseline, {len(chosen)} of {len(runs)} daily processes…", file=sys.stderr, flush=True)
    baseline_dest = work / f"{warehouse.label}-{scope}-baseline"
    shutil.rmtree(baseline_dest, ignore_errors=True)
    baseline_seconds = 0.0
    baseline_rss = 0.0
    for day, code, champion in chosen:
        args = [command, "daily", "--date", day.isoformat(), *common_args(warehouse, baseline_dest)]
        child = checked(run_child(args if champion else [*args, "--model", code], env), "baseline daily")
        baseline_seconds += child.seconds
        baseline_rss = max(baseline_rss, child.max_rss_mb)
    shutil.rmtree(baseline_dest, ignore_errors=True)

    print(f"{run_name}: floor…", file=sys.stderr, flush=True)
    out = work / "floor.json"
    floor_dest = work / f"{warehouse.label}-{scope}-floor"
    shutil.rmtree(floor_dest, ignore_errors=True)
    floor_child = checked(run_child(floor_command(warehouse, models, out, floor_dest), env), "floor")
    floor = json.loads(out.read_text())
    shutil.rmtree(floor_dest, ignore_errors=True)
    return Result(
        run=run_name,
        label=warehouse.label,
        scope=scope,
        shape=warehouse.shape,
        pick_rows=warehouse.rows["subset_picks"],
        shown_picks=floor["rows"],
        backfill_s=sum(child.seconds for child in backfills),
        backfill_rss_mb=max(child.max_rss_mb for child in backfills),
        backfill_mode=mode,
        queries=sum(queries_of(child) for child in backfills),
        files=files,
        bytes_raw=raw,
        bytes_gzip=compressed,
        daily_s=daily.seconds,
        daily_rss_mb=daily.max_rss_mb,
        daily_queries=queries_of(daily),
        baseline_s=baseline_seconds / len(chosen) * len(runs),
        baseline_runs=len(runs),
        baseline_measured=len(chosen),
        baseline_rss_mb=baseline_rss,
        floor_s=floor["seconds"],
        floor_process_s=floor_child.seconds,
        floor_rss_mb=floor_child.max_rss_mb,
        shares=share_of,
        backfill_cpu_s=sum(child.cpu_seconds for child in backfills),
        backfill_tree_pss_mb=max(child.tree_pss_mb for child in backfills),
        daily_all_empty_s=median(empty_s),
        daily_all_history_s=median(history_s),
        small_daily_s=small_daily,
        bare_s=bare,
        bucket_backfill_s=bucket_s[0],
        daily_all_bucket_history_s=bucket_s[1],
        daily_all_bucket_empty_s=bucket_s[2],
        bucket_note=bucket_note or "",
    )


def bytes_target(folder: Path) -> dict[str, Any] | None:
    """The champion's 2025-26 season file: gzip as published vs pretty-printed (indent=2) and uncompressed."""
    path = folder / "v1" / "subsets" / "seasons" / "2025-26.json"
    if not path.is_file():
        return None
    data = path.read_bytes()
    pretty = json.dumps(json.loads(data), indent=2, ensure_ascii=False).encode()
    compressed = len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
    return {"file": "v1/subsets/seasons/2025-26.json", "compact": len(data), "gzip": compressed,
            "pretty": len(pretty), "ratio": len(pretty) / compressed}  # fmt: skip


COLUMNS = (
    "run", "warehouse (seasons × models × subsets)", "pick rows", "shown picks", "backfill s", "backfill peak RSS MB",
    "queries", "files", "MB raw", "MB gzip", "daily s", "daily peak RSS MB", "baseline s", "baseline / backfill",
    "floor s (work / process)", "backfill / floor process", "backfill CPU / wall", "daily --all-models s (history / empty)",
    "daily --all-models on a bucket s (history / empty)", "small daily / bare python", "query %", "build %", "validate %", "write %", "other %",
)  # fmt: skip


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}"


def bucket_cell(r: Result) -> str:
    if not r.bucket_measured:
        return "n/a"
    return f"{r.daily_all_bucket_history_s:.2f} / {r.daily_all_bucket_empty_s:.2f} ({r.bucket_history_ratio:.2f}×)"


def table_rows(results: list[Result]) -> list[list[str]]:
    rows = []
    for r in results:
        baseline = f"{r.baseline_s:,.1f}" + ("" if r.baseline_measured == r.baseline_runs else "*")
        rows.append([
            r.run, r.shape, f"{r.pick_rows:,}", f"{r.shown_picks:,}", f"{r.backfill_s:.2f}", f"{max(r.backfill_rss_mb, r.backfill_tree_pss_mb):.0f}",
            str(r.queries), f"{r.files:,}", f"{r.bytes_raw / 1e6:.1f}", f"{r.bytes_gzip / 1e6:.1f}",
            f"{r.daily_s:.2f}", f"{r.daily_rss_mb:.0f}", baseline, f"{r.baseline_ratio:.0f}×", f"{r.floor_s:.2f} / {r.floor_process_s:.2f}",
            f"{r.floor_ratio:.2f}×", f"{r.cpu_ratio:.2f}", f"{r.daily_all_history_s:.2f} / {r.daily_all_empty_s:.2f} ({r.history_ratio:.2f}×)",
            bucket_cell(r), f"{r.small_daily_s:.2f} / {r.bare_s:.2f} ({r.bare_ratio:.2f}×)",
            *(percent(r.shares.get(c)) for c in ("query", "build", "validate", "write", "other")),
        ])  # fmt: skip
    return rows


def markdown(results: list[Result], notes: list[str]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"


def targets(results: list[Result], size_bytes: dict[str, Any] | None) -> list[str]:
    """The issue's targets, each with its measured figure and whether it holds."""
    by_run = {r.run: r for r in results}
    found: list[str] = []

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**not met**"

    demo_run = by_run.get("1× champion")
    if demo_run:
        found.append(f"demo season backfill vs one process per date: {demo_run.baseline_ratio:.0f}× faster (target ≥ 50×):"
                     f" {verdict(demo_run.baseline_ratio >= 50)}")  # fmt: skip
        found.append(f"demo season backfill vs the floor, process against process: {demo_run.floor_ratio:.1f}× the"
                     f" floor's {demo_run.floor_process_s:.2f} s (target ≤ 3×): {verdict(demo_run.floor_ratio <= 3)};"
                     f" against the floor's work alone ({demo_run.floor_s:.2f} s, no interpreter start or imports):"
                     f" {demo_run.floor_work_ratio:.1f}×")  # fmt: skip
    big = by_run.get("32×")
    if big:
        found.append(f"~1M-row warehouse ({big.pick_rows:,} pick rows), every model and season: {big.backfill_s:.1f} s"
                     f" (target < 60 s): {verdict(big.backfill_s < 60)}; peak RSS {big.backfill_rss_mb:,.0f} MB"
                     f" (target < 1,536 MB): {verdict(big.backfill_rss_mb < 1536)}")  # fmt: skip
    small, large = by_run.get("1×"), by_run.get("16×")
    if small and large:
        data = large.shown_picks / small.shown_picks
        growth = large.backfill_s / small.backfill_s
        found.append(f"growth: 16× has {data:.1f}× the shown picks of 1× and takes {growth:.1f}× the time"
                     f" (target ≤ about 20×): {verdict(growth <= 20)}")  # fmt: skip
    quarter, whole = by_run.get("35×"), by_run.get("140×")
    if whole:
        found.append(f"{whole.pick_rows:,}-row warehouse ({whole.shape}), `backfill --all-models` into an empty folder:"
                     f" {whole.backfill_s:.1f} s, {whole.floor_ratio:.2f}× the floor's process ({whole.floor_process_s:.1f} s;"
                     f" one query, grouping in Python, orjson, every file written) (target ≤ 1.0×):"
                     f" {verdict(whole.floor_ratio <= 1.0)}; CPU / wall {whole.cpu_ratio:.2f} on {os.cpu_count()} cores"
                     f" (target ≥ 1.5): {verdict(whole.cpu_ratio >= 1.5)}")  # fmt: skip
        peak = max(whole.backfill_rss_mb, whole.backfill_tree_pss_mb)
        line = f"peak memory (PSS summed over the run's processes) {peak:,.0f} MB (target ≤ 400 MB): {verdict(peak <= 400)}"
        if quarter:
            quarter_peak = max(quarter.backfill_rss_mb, quarter.backfill_tree_pss_mb)
            line += (f"; {peak / quarter_peak:.2f}× the {quarter_peak:,.0f} MB of a quarter of it ({quarter.shape})"
                     f" (target ≤ 1.25×): {verdict(peak / quarter_peak <= 1.25)}")  # fmt: skip
        found.append(line)
        if quarter:
            data = whole.shown_picks / quarter.shown_picks
            growth = whole.backfill_s / quarter.backfill_s
            found.append(f"growth: {whole.run} has {data:.2f}× the shown picks of {quarter.run} and takes {growth:.2f}×"
                         f" the time (target ≤ 4.2× for 4× the data): {verdict(growth <= 4.2 * data / 4)}")  # fmt: skip
        found.append(f"`daily --all-models` over the folder holding the full history: {whole.daily_all_history_s:.2f} s,"
                     f" {whole.history_ratio:.2f}× the same run into an empty folder ({whole.daily_all_empty_s:.2f} s)"
                     f" (target ≤ 1.1×): {verdict(whole.history_ratio <= 1.1)}")  # fmt: skip
    shaped = by_run.get("140v×")  # the shape first reported out of memory: more versions a day, half after tip-off
    if shaped:
        peak = max(shaped.backfill_rss_mb, shaped.backfill_tree_pss_mb)
        found.append(f"{shaped.pick_rows:,}-row warehouse with more versions a day ({shaped.shape}), `backfill"
                     f" --all-models` with the default build workers: {shaped.backfill_s:.1f} s, {shaped.queries}"
                     f" queries (more than 140×'s when a worker read its share more than once or the run built it again),"
                     f" {shaped.floor_ratio:.2f}× the floor's process; peak memory {peak:,.0f} MB (target ≤ 400 MB):"
                     f" {verdict(peak <= 400)}")  # fmt: skip
    on_bucket = [r for r in results if r.bucket_measured]
    if on_bucket:
        largest = on_bucket[-1]  # sizes run smallest first
        found.append(f"`daily --all-models` over the bucket holding the full history ({largest.run}):"
                     f" {largest.daily_all_bucket_history_s:.2f} s, {largest.bucket_history_ratio:.2f}× the same run into"
                     f" an empty bucket ({largest.daily_all_bucket_empty_s:.2f} s) (target ≤ 1.1×):"
                     f" {verdict(largest.bucket_history_ratio <= 1.1)}")  # fmt: skip
    elif results:
        found.append(f"`daily --all-models` over the bucket holding the full history: not measured"
                     f" ({results[-1].bucket_note})")  # fmt: skip
    small_run = by_run.get("1× champion") or (results[0] if results else None)
    if small_run:
        found.append(f"a small `daily` ({small_run.run}): {small_run.small_daily_s:.2f} s, {small_run.bare_ratio:.2f}× a bare"
                     f" `python -c \"import duckdb, orjson; duckdb.connect(W).execute('SELECT 1')\"` ({small_run.bare_s:.2f} s)"
                     f" (target ≤ 2×): {verdict(small_run.bare_ratio <= 2)}")  # fmt: skip
    validating = [r for r in results if r.shares.get("validate") is not None]
    if validating:
        worst = max(validating, key=lambda r: r.shares["validate"] or 0)
        found.append(f"validation share: at most {percent(worst.shares['validate'])} % ({worst.run}) (target ≤ 33 %):"
                     f" {verdict((worst.shares['validate'] or 0) <= 1 / 3)}")  # fmt: skip
    if size_bytes:
        found.append(f"bytes: {size_bytes['file']} is {size_bytes['gzip']:,} bytes gzip-compressed vs {size_bytes['pretty']:,}"
                     f" pretty-printed (indent=2): {size_bytes['ratio']:.1f}× smaller (target ≥ 20×):"
                     f" {verdict(size_bytes['ratio'] >= 20)}")  # fmt: skip
    return found


def plot(results: list[Result], path: Path) -> bool:
    """Time and peak memory against warehouse size (runs over every model); False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    runs = [r for r in results if r.scope == "all"]
    if not runs:
        return False
    picks = [r.pick_rows for r in runs]
    figure, (times, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, values in (
        ("backfill", [r.backfill_s for r in runs]),
        ("baseline (one process per date)", [r.baseline_s for r in runs]),
        ("daily", [r.daily_s for r in runs]),
        ("floor", [r.floor_s for r in runs]),
    ):
        times.plot(picks, values, marker="o", label=label)
    times.set(xscale="log", yscale="log", xlabel="subset_picks rows", ylabel="wall seconds", title="Time")
    times.legend(fontsize=8)
    times.grid(True, which="both", alpha=0.3)
    for label, values in (
        ("backfill", [r.backfill_rss_mb for r in runs]),
        ("daily", [r.daily_rss_mb for r in runs]),
        ("floor", [r.floor_rss_mb for r in runs]),
    ):
        memory.plot(picks, values, marker="o", label=label)
    memory.set(xscale="log", xlabel="subset_picks rows", ylabel="peak RSS (MB)", title="Peak memory")
    memory.legend(fontsize=8)
    memory.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def bucket_notes(results: list[Result]) -> str:
    measured = [r for r in results if r.bucket_measured]
    text = ("daily --all-models on a bucket: the same on fake-gcs-server (in memory, started as the tests start it:"
            " tests/fakegcs.py, STORAGE_EMULATOR_HOST; it runs on this machine and shares its cores with the run), a"
            " new server per warehouse; the history published once by the backfill itself into the bucket"
            " (`--dest gs://BUCKET`), then every model's daily of that date over it and into a new empty bucket"
            " (median of 3 each, alternating).")  # fmt: skip
    if measured:
        text += (
            " Backfill into the bucket: " + ", ".join(f"{r.run} {r.bucket_backfill_s:.1f} s" for r in measured) + "."
        )
    skipped = sorted({r.bucket_note for r in results if r.bucket_note.startswith("bucket case skipped")})
    return text + "".join(f" {note}." for note in skipped)


def bucket_skipped(label: str, scope: str, bucket_labels: set[str], gcs_missing: str | None) -> str | None:
    """None when the bucket case is measured for this run, else why not."""
    if scope != "all":
        return "the bucket case runs over every model's history"
    if label not in bucket_labels:
        return "not in --bucket-sizes"
    return gcs_missing and f"bucket case skipped: {gcs_missing}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1,4,16,32,35,140,140v", help=f"warehouse sizes, of {', '.join(SIZES)} (default all)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: two tiny warehouses (a few days each)")
    parser.add_argument("--baseline-sample", type=int, default=None,
                        help="daily processes measured per run for the baseline, extrapolated to all (0: all;"
                             " default 12, all with --quick)")  # fmt: skip
    parser.add_argument("--bucket-sizes", default=BUCKET_SIZES,
                        help="sizes whose history is also published to fake-gcs-server to time `daily --all-models` on"
                             f" a bucket (default {BUCKET_SIZES}; {QUICK_BUCKET_SIZE} with --quick; '' for none)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="folder of results.md/json/png")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache", help="folder of the generated warehouses")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    options = parser.parse_args(argv)

    labels = list(QUICK_SIZES) if options.quick else [size.strip() for size in options.sizes.split(",") if size.strip()]
    unknown = [label for label in labels if label not in SIZES and label not in QUICK_SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}: choose from {', '.join(SIZES)}")
    bucket_labels = (
        {QUICK_BUCKET_SIZE}
        if options.quick
        else {size.strip() for size in options.bucket_sizes.split(",") if size.strip()}
    )
    unknown = sorted(bucket_labels - set(SIZES) - set(QUICK_SIZES))
    if unknown:
        parser.error(f"unknown bucket size {', '.join(unknown)}: choose from {', '.join(SIZES)}")
    gcs_missing = fake_gcs_missing() if bucket_labels & set(labels) else None
    sample_size = options.baseline_sample if options.baseline_sample is not None else (3 if options.quick else 12)
    options.cache.mkdir(parents=True, exist_ok=True)
    options.out.mkdir(parents=True, exist_ok=True)
    command = tool()
    all_models = supports_all_models(command)

    results: list[Result] = []
    size_bytes = None
    with tempfile.TemporaryDirectory(prefix="picks-bench-") as folder:
        work = Path(folder)
        for label in labels:
            warehouse = build_warehouse(label, options.cache)
            scopes = ["champion", "all"] if label == "1" else ["all"]
            for scope in scopes:
                result = measure(
                    command,
                    warehouse,
                    scope,
                    all_models,
                    work,
                    sample_size or 10**9,
                    bucket_skipped(label, scope, bucket_labels, gcs_missing),
                )
                results.append(result)
                if size_bytes is None:  # the first run's champion season file: the demo season's
                    size_bytes = bytes_target(work / f"{label}-{scope}-backfill")
                shutil.rmtree(work / f"{label}-{scope}-backfill", ignore_errors=True)

    sampled = [r for r in results if r.baseline_measured < r.baseline_runs]
    notes = [
        f"picks-export {'with' if all_models else 'without'} `backfill --all-models`; backfill of every model ="
        f' {results[-1].backfill_mode}. Backfill covers every season of the warehouse; "champion" runs export the'
        " champion only (the issue's demo-season target), the others every enabled model.",
        "baseline = `picks-export daily --date D` in a new process for every date with picks and every model;"
        + (
            " * = measured on an evenly spread sample of the runs and extrapolated linearly ("
            + ", ".join(f"{r.run}: {r.baseline_measured} of {r.baseline_runs}" for r in sampled)
            + ")."
            if sampled
            else " every run measured."
        ),
        "floor = one process: one DuckDB query for the shown, graded picks of the range (lock, box scores, grading),"
        " grouping in Python, orjson serialization and writing of every per-day and season file (bench/floor.py):"
        " its work alone, and its whole process (interpreter start and imports included, as for every picks-export"
        " process measured here).",
        "daily = `picks-export daily` of the champion for one date of the last season, over the backfilled folder;"
        ' small daily / bare python = the same (median of 3) against a bare `python -c "import duckdb, orjson;'
        " duckdb.connect(W).execute('SELECT 1')\"` (median of 3). daily --all-models: every model's daily of that date"
        " over the backfilled history and into an empty folder (median of 3 each, alternating).",
        bucket_notes(results),
        "backfill CPU / wall = user + system seconds of the backfill and its build workers over its wall time; build"
        " workers = PICKS_EXPORT_BUILD_WORKERS, default the cores (the harness run uses one process).",
        "shares: the same backfill in-process under bench/harness.py (exclusive time in the engine's queries, snapshot"
        " and document building, schema validation, and serializing/listing/writing files); other = imports,"
        " start-up and the rest.",
        "backfill peak RSS = the peak, sampled every 50 ms, of the memory summed over the backfill and its build"
        " workers, each process's proportional set size (PSS: a page a worker shares with its parent counts once),"
        " or wait4's peak RSS of the largest process when that is larger.",
        f"peak RSS via os.wait4 of each child, started by a small helper (bench/spawn.py) so that it is the child's own; gzip = level {GZIP_LEVEL}, mtime 0, as the bucket sink publishes.",
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {dt.date.today()}; load average"
        f" {os.getloadavg()[0]:.1f} at the end of the run (the machine is shared: read the ratios, measured within one run).",
    ]
    target_lines = targets(results, size_bytes)
    text = "# picks-export benchmark\n\n" + markdown(results, notes)
    if target_lines:
        text += "\n## Targets\n\n" + "\n".join(f"- {line}" for line in target_lines) + "\n"
    (options.out / "results.md").write_text(text, encoding="utf-8")
    payload = {"results": [asdict(r) for r in results], "bytes_target": size_bytes, "all_models": all_models}
    (options.out / "results.json").write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    SPAWNER.close()
    plotted = not options.no_plot and plot(results, options.out / "results.png")
    print(text)
    print(f"results in {options.out}" + ("" if plotted else " (no plot: matplotlib missing or --no-plot)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
