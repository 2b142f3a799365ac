"""The reference page in real Chromium (Debian's, driven by Playwright): it shows the numbers of the files it read.

The site is the demo's (with one hostile player name) exported by the real CLI and served by `picks-export serve`;
the last test reads the same files from fake-gcs-server on another origin, through the bucket's CORS policy.
Without a browser the tests are skipped with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

HOSTILE = "<img src=x onerror=alert(1)>"
TODAY = "2026-02-07"
CHROMIUM = os.environ.get("PICKS_EXPORT_CHROMIUM", "/usr/bin/chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PICKS_EXPORT_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    script = shutil.which("picks-export", path=str(Path(sys.executable).parent))
    assert script
    result = subprocess.run(
        [script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PICKS_EXPORT_TODAY": TODAY, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


class Served:
    """`picks-export serve` in a process of its own, on a free port."""

    def __init__(self, folder: Path, *origins: str) -> None:
        script = shutil.which("picks-export", path=str(Path(sys.executable).parent))
        assert script
        extra = [arg for origin in origins for arg in ("--origin", origin)]
        self.process = subprocess.Popen(
            [script, "serve", str(folder), "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        line = self.process.stdout.readline().decode()
        assert " at http://127.0.0.1:" in line, line
        self.url = line.split(" at ", 1)[1].split("/ ", 1)[0]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The demo warehouse, with one player renamed to markup that would run a script if it became HTML."""
    path = tmp_path_factory.mktemp("site") / "warehouse.duckdb"
    cli("demo", "--warehouse", str(path), "--today", TODAY)
    with duckdb.connect(str(path)) as connection:
        (lookup,) = connection.execute(
            "SELECT player_lookup FROM nba_predictions.subset_picks WHERE game_date = DATE '2026-02-06' AND subset_id ="
            " (SELECT subset_id FROM nba_predictions.subset_definitions WHERE is_active ORDER BY display_order, subset_id LIMIT 1)"
            " ORDER BY version_id DESC, pick_rank LIMIT 1"
        ).fetchone()
        connection.execute(
            "UPDATE nba_predictions.subset_picks SET player_name = ? WHERE player_lookup = ?", [HOSTILE, lookup]
        )
    return path


@pytest.fixture(scope="module")
def site(warehouse, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("public")
    cli(
        "backfill",
        "--start",
        "2025-10-01",
        "--end",
        TODAY,
        "--all-models",
        "--warehouse",
        str(warehouse),
        "--dest",
        str(dest),
        "--with-page",
    )
    return dest


@pytest.fixture(scope="module")
def server(site) -> Iterator[Served]:
    served = Served(site)
    yield served
    served.stop()


class Page:
    """A browser tab on the reference page that records every dialog, console error and uncaught exception."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.responses: list[Any] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("response", lambda response: self.responses.append(response))
        self.open(url)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.settled()

    def settled(self) -> str:
        """Wait until the page has shown what it was asked for; its state: ready, missing or error."""
        self.page.wait_for_function("['ready', 'missing', 'error'].includes(document.body.dataset.state)")
        return self.page.evaluate("document.body.dataset.state")

    def texts(self, selector: str) -> list[str]:
        return self.page.locator(selector).all_text_contents()

    def text(self, test_id: str) -> str:
        return self.page.get_by_test_id(test_id).text_content() or ""

    def click_tab(self, group_id: str) -> None:
        self.page.locator(f'[data-testid=tab][data-group-id="{group_id}"]').click()

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def page(browser, server) -> Iterator[Page]:
    opened = Page(browser, f"{server.url}/")
    yield opened
    opened.close()
    assert opened.dialogs == []


def read(site: Path, path: str) -> Any:
    return orjson.loads((site / path).read_bytes())


def formatted(tally: dict[str, Any]) -> tuple[str, str]:
    pct = "—" if tally["pct"] is None else f"{tally['pct']:.1f}%"
    return f"{tally['wins']}–{tally['losses']}–{tally['pushes']}", pct


def signed(value: float, places: int) -> str:
    return f"{'+' if value > 0 else ''}{value:.{places}f}"


def assert_shows_stats(page: Page, stats: dict[str, Any], *, split: bool) -> None:
    """Units and ROI at -110 in each period's card, then the last 10, the streak, the windows (and over/under)."""
    for period in ("season", "month", "week"):
        assert page.text(f"record-{period}-units") == f"{signed(stats['units'][period], 2)} u"
        assert page.text(f"record-{period}-money").endswith("at −110")
        roi = stats["roi"][period]
        assert page.text(f"record-{period}-roi") == ("ROI —" if roi is None else f"ROI {signed(roi, 1)}%")
    for key in ("last_10", "last_7_days", "last_30_days", *(("over", "under") if split else ())):
        assert (page.text(f"stats-{key}-wlp"), page.text(f"stats-{key}-pct")) == formatted(stats[key]), key
    streak = stats["streak"]
    expected = "—" if streak is None else f"{'W' if streak['result'] == 'hit' else 'L'}{streak['count']}"
    assert page.text("stats-streak-value") == expected
    shown_split = page.page.locator("[data-testid=stats-over], [data-testid=stats-under]").count()
    assert shown_split == (2 if split else 0)


def assert_shows_day(page: Page, day: dict[str, Any], group: dict[str, Any]) -> None:
    """The records, stats and picks on screen are the group's in the file."""
    assert page.texts("[data-testid=tab]") == [each["name"] for each in day["groups"]]
    selected = page.page.locator('[data-testid=tab][aria-selected="true"]')
    assert selected.get_attribute("data-group-id") == group["id"]
    for period in ("season", "month", "week"):
        assert (page.text(f"record-{period}-wlp"), page.text(f"record-{period}-pct")) == formatted(
            group["record"][period]
        )
    assert_shows_stats(page, group["stats"], split=False)
    picks = group["picks"]
    assert page.texts("[data-testid=pick] [data-testid=pick-player]") == [pick["player"] for pick in picks]
    results = page.page.locator("[data-testid=pick] [data-testid=result]")
    assert [results.nth(i).get_attribute("data-result") for i in range(results.count())] == [
        pick["result"] or "pending" for pick in picks
    ]
    actual = ["—" if pick["actual"] is None else str(pick["actual"]) for pick in picks]
    assert page.texts("[data-testid=pick] [data-testid=pick-actual]") == actual
    assert page.texts("[data-testid=pick] [data-testid=pick-line]") == [
        f"{p['direction']} {p['line']:g}" for p in picks
    ]


def default_model(site: Path) -> dict[str, Any]:
    manifest = read(site, "v1/manifest.json")
    (model,) = [each for each in manifest["models"] if each["code"] == manifest["default_model"]]
    return model


def latest_with_picks(site: Path, model: dict[str, Any]) -> str:
    return next(entry["date"] for entry in read(site, model["index"])["dates"] if entry["picks"] > 0)


def test_opens_on_the_default_models_latest_date_with_the_files_numbers(page, site, tmp_path):
    model = default_model(site)
    date = latest_with_picks(site, model)
    day = read(site, f"{model['path']}picks/{date}.json")
    assert page.page.get_by_test_id("model-select").input_value() == model["code"]
    assert page.page.get_by_test_id("date-input").input_value() == date
    assert_shows_day(page, day, day["groups"][0])
    stats = day["groups"][0]["stats"]  # the demo's first tab has a record to show, so units, ROI and a streak
    assert stats["last_10"]["wins"] + stats["last_10"]["losses"] > 0 and stats["streak"] is not None
    assert page.text("record-season-money").endswith("at −110") and page.text("record-season-roi").startswith("ROI ")
    for group in day["groups"][1:3]:
        page.click_tab(group["id"])
        assert_shows_day(page, day, group)
    screenshot = tmp_path / "page.png"
    page.page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
    assert page.errors == []


def test_date_switching_by_picker_and_arrows(page, site):
    model = default_model(site)
    dates = [entry["date"] for entry in read(site, model["index"])["dates"] if entry["picks"] > 0]
    page.page.get_by_test_id("date-input").fill(dates[5])
    page.settled()
    day = read(site, f"v1/picks/{dates[5]}.json")
    assert_shows_day(page, day, day["groups"][0])
    page.page.get_by_test_id("date-previous").click()
    page.settled()
    assert page.page.get_by_test_id("date-input").input_value() == dates[6]
    earlier = read(site, f"v1/picks/{dates[6]}.json")
    assert_shows_day(page, earlier, earlier["groups"][0])
    page.page.get_by_test_id("date-next").click()
    page.settled()
    assert page.page.get_by_test_id("date-input").input_value() == dates[5]


def test_the_chosen_tab_stays_across_dates(page, site):
    model = default_model(site)
    dates = [entry["date"] for entry in read(site, model["index"])["dates"] if entry["picks"] > 0]
    second = read(site, f"v1/picks/{dates[0]}.json")["groups"][1]["id"]
    page.click_tab(second)
    page.page.get_by_test_id("date-previous").click()
    page.settled()
    day = read(site, f"v1/picks/{dates[1]}.json")
    assert_shows_day(page, day, next(group for group in day["groups"] if group["id"] == second))


def test_model_switching(page, site):
    manifest = read(site, "v1/manifest.json")
    other = next(model for model in manifest["models"] if not model["default"])
    page.page.get_by_test_id("model-select").select_option(other["code"])
    page.settled()
    date = latest_with_picks(site, other)
    assert page.page.get_by_test_id("date-input").input_value() == date
    day = read(site, f"{other['path']}picks/{date}.json")
    assert day["model"] == other["code"]
    assert_shows_day(page, day, day["groups"][0])
    assert f"/{other['path']}picks/{date}.json" in page.text("source")


def test_a_day_without_a_file_says_so(page, server, site):
    page.open(f"{server.url}/?date=2025-08-15")
    assert page.settled() == "missing"
    assert page.text("status") == "No picks published for this date (2025-08-15)."
    assert page.page.locator("[data-testid=pick]").count() == 0
    assert page.page.locator("[data-testid=tab]").count() == 0
    assert not any("Uncaught" in error for error in page.errors)
    page.open(f"{server.url}/?date=../../v1/manifest")  # not a date: the page opens its usual day instead
    assert page.page.get_by_test_id("date-input").input_value() == latest_with_picks(site, default_model(site))


def test_pushes_dnps_and_a_null_pct(page, site, server):
    """A date whose picks include a push and a DNP shows their badges; the season's first day has no pct yet."""
    model = default_model(site)
    for entry in read(site, model["index"])["dates"]:
        day = read(site, f"v1/picks/{entry['date']}.json")
        group = next((g for g in day["groups"] if {"push", "dnp"} <= {p["result"] for p in g["picks"]}), None)
        if group:
            break
    else:
        pytest.fail("the demo has no group with both a push and a DNP on one day")
    page.open(f"{server.url}/?date={day['date']}")
    page.click_tab(group["id"])
    assert_shows_day(page, day, group)
    labels = page.texts('[data-testid=pick] [data-result="push"], [data-testid=pick] [data-result="dnp"]')
    assert set(labels) == {"Push", "DNP"}
    first = read(site, model["index"])["dates"][-1]["date"]
    page.open(f"{server.url}/?date={first}")
    opening = read(site, f"v1/picks/{first}.json")
    assert opening["groups"][0]["record"]["season"]["pct"] is None
    assert page.text("record-season-pct") == "—"
    assert_shows_day(page, opening, opening["groups"][0])


def test_season_view_shows_records_and_running_results(page, site):
    model = default_model(site)
    season = read(site, model["seasons"][0]["path"])
    page.page.get_by_test_id("view-season").click()
    page.settled()
    group = season["groups"][0]
    for period in ("season", "month", "week"):
        assert (page.text(f"record-{period}-wlp"), page.text(f"record-{period}-pct")) == formatted(
            group["record"][period]
        )
    assert_shows_stats(page, group["stats"], split=True)  # the over/under split in the season view only
    assert page.texts("[data-testid=season-date-label]") == [entry["date"] for entry in group["dates"]]
    wins = losses = pushes = 0
    for entry in group["dates"]:
        results = [pick["result"] for pick in entry["picks"]]
        wins, losses, pushes = (
            wins + results.count("hit"),
            losses + results.count("miss"),
            pushes + results.count("push"),
        )
    pct = "—" if wins + losses == 0 else f"{round(1000 * wins / (wins + losses)) / 10:.1f}%"
    assert page.texts("[data-testid=season-running]")[0] == f"running {wins}–{losses}–{pushes} · {pct}"
    # The season record as of its as_of date counts what the running total counts by then.
    assert (wins, losses, pushes) == tuple(group["record"]["season"][key] for key in ("wins", "losses", "pushes"))


def screenshot(page: Any, name: str, folder: Path, *, full_page: bool = True) -> Path:
    """A PNG of `page` (whole, or what the screen shows) in `folder`, and a copy in $PICKS_EXPORT_SCREENSHOTS when
    set, to look at."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    if os.environ.get("PICKS_EXPORT_SCREENSHOTS"):
        kept = Path(os.environ["PICKS_EXPORT_SCREENSHOTS"])
        kept.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, kept / path.name)
    return path


def assert_within(locator: Any, width: int) -> None:
    """Every element `locator` finds is on screen across: from 0 to `width`."""
    for each in range(locator.count()):
        box = locator.nth(each).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (each, box)


def no_overflow(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_on_a_phone_the_picks_are_cards_and_nothing_overflows(browser, server, site, tmp_path):
    """390 × 844: the records, units and ROI at -110, last 10 and streak are on screen; each pick is a card whose
    player, line, prediction, actual points and hit/miss badge are all on screen; the page is no wider than the
    phone, in the day view and the season view."""
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        phone.goto(f"{server.url}/")
        phone.wait_for_function("document.body.dataset.state === 'ready'")
        model = default_model(site)
        day = read(site, f"{model['path']}picks/{latest_with_picks(site, model)}.json")
        stats = day["groups"][0]["stats"]
        assert phone.get_by_test_id("record-season-units").text_content() == f"{signed(stats['units']['season'], 2)} u"
        for test_id in (
            "record-season-units",
            "record-season-roi",
            "record-week-money",
            "stats-last_10",
            "stats-streak",
        ):
            assert_within(phone.get_by_test_id(test_id), 390)
        picks = phone.locator("[data-testid=pick]")
        assert picks.count() == len(day["groups"][0]["picks"]) > 0
        assert picks.first.evaluate("row => getComputedStyle(row).display") == "grid"  # a card, not a table row
        for part in ("pick-player", "pick-team", "pick-line", "pick-prediction", "pick-actual", "result"):
            assert_within(phone.locator(f"[data-testid=pick] [data-testid={part}]"), 390)
        label = "el => getComputedStyle(el, '::before').content"
        assert phone.get_by_test_id("pick-actual").first.evaluate(label) == '"Actual"'  # each figure under its name
        assert phone.locator(".picks thead").first.bounding_box()["height"] <= 1  # the header row is for readers only
        assert no_overflow(phone)
        # A graded date's fullest tab: hits and misses, each card with its badge on screen.
        date = [entry["date"] for entry in read(site, model["index"])["dates"] if entry["picks"] > 0][1]
        graded = max(read(site, f"{model['path']}picks/{date}.json")["groups"], key=lambda group: len(group["picks"]))
        phone.goto(f"{server.url}/?date={date}")
        phone.wait_for_function("document.body.dataset.state === 'ready'")
        phone.locator(f'[data-testid=tab][data-group-id="{graded["id"]}"]').click()
        assert picks.count() == len(graded["picks"]) > 1
        assert {"hit", "miss"} <= set(
            phone.locator("[data-testid=pick] [data-testid=result]").evaluate_all(
                "badges => badges.map((badge) => badge.dataset.result)"
            )
        )
        assert_within(phone.locator("[data-testid=pick] [data-testid=result]"), 390)
        assert no_overflow(phone)
        screenshot(phone, "phone-day", tmp_path)
        screenshot(phone, "phone-day-screen", tmp_path, full_page=False)
        phone.get_by_test_id("view-season").click()
        phone.wait_for_function("document.body.dataset.state === 'ready'")
        assert_within(phone.get_by_test_id("stats-under"), 390)
        assert_within(phone.locator("[data-testid=season-date-label]"), 390)
        assert no_overflow(phone)
        screenshot(phone, "phone-season", tmp_path)
        screenshot(phone, "phone-season-screen", tmp_path, full_page=False)
    finally:
        phone.close()


def test_on_a_desktop_the_picks_are_a_table(page, tmp_path):
    """1200 px wide: the picks stay a table under its header, every column beside the others on one row."""
    row = page.page.locator("[data-testid=pick]").first
    assert row.evaluate("row => getComputedStyle(row).display") == "table-row"
    assert page.page.locator(".picks thead th").first.is_visible()
    player, badge = row.get_by_test_id("pick-player").bounding_box(), row.get_by_test_id("result").bounding_box()
    assert player is not None and badge is not None and abs(player["y"] - badge["y"]) < player["height"]
    assert row.get_by_test_id("pick-actual").evaluate("el => getComputedStyle(el, '::before').content") == "none"
    assert no_overflow(page.page)
    screenshot(page.page, "desktop-day", tmp_path)


def test_a_file_without_stats_shows_its_records_alone(page, site, server):
    """A per-day file published before stats were added has none: the page shows its records and no stats."""
    model = default_model(site)
    date = latest_with_picks(site, model)
    day = read(site, f"{model['path']}picks/{date}.json")
    for group in day["groups"]:
        del group["stats"]
    page.page.route(
        f"**/{model['path']}picks/{date}.json",
        lambda route: route.fulfill(status=200, content_type="application/json", body=orjson.dumps(day)),
    )
    page.open(f"{server.url}/?date={date}")
    assert page.text("record-season-wlp") == formatted(day["groups"][0]["record"]["season"])[0]
    assert page.page.locator("[data-testid=record-season-units], [data-testid^=stats-]").count() == 0
    assert page.errors == []


def test_a_null_record_reads_no_record(page, site, server):
    """A season with nothing graded has `record: null` (the demo has none: the file is changed on its way in)."""
    model = default_model(site)
    season = read(site, model["seasons"][0]["path"])
    for group in season["groups"]:
        group["record"] = None
        group["stats"] = None
    season["as_of"] = None
    page.page.route(
        f"**/{model['seasons'][0]['path']}",
        lambda route: route.fulfill(status=200, content_type="application/json", body=orjson.dumps(season)),
    )
    page.open(f"{server.url}/?view=season")
    assert page.text("record-none") == "No graded picks yet: no record."
    assert page.page.locator("[data-testid^=record-season]").count() == 0
    assert page.page.locator("[data-testid^=stats-]").count() == 0
    assert "nothing graded yet" in page.text("heading")


def test_a_hostile_player_name_stays_text(page, site, server):
    model = default_model(site)
    dated = [
        (entry["date"], read(site, f"v1/picks/{entry['date']}.json")) for entry in read(site, model["index"])["dates"]
    ]
    date, day = next(
        (date, day) for date, day in dated if any(p["player"] == HOSTILE for g in day["groups"] for p in g["picks"])
    )
    group = next(g for g in day["groups"] if any(p["player"] == HOSTILE for p in g["picks"]))
    page.open(f"{server.url}/?date={date}")
    page.click_tab(group["id"])
    assert HOSTILE in page.texts("[data-testid=pick] [data-testid=pick-player]")
    page.page.get_by_test_id("view-season").click()
    page.settled()
    page.click_tab(group["id"])
    assert HOSTILE in page.texts("[data-testid=season-pick] [data-testid=pick-player]")
    assert page.page.locator("main img").count() == 0
    page.page.wait_for_timeout(200)  # an onerror handler would have fired by now
    assert page.dialogs == [] and page.errors == []


def test_the_page_reads_a_bucket_on_another_origin_through_its_cors_policy(browser, warehouse, gcs, tmp_path):
    """The page served from one origin reads the files from fake-gcs-server once `bucket cors` allowed it."""
    from fakegcs import CorsProxy, client_for

    client_for(gcs.url).create_bucket("page-site")
    proxy = CorsProxy(gcs.port)
    env = {"STORAGE_EMULATOR_HOST": proxy.url}
    allowed, refused = Served(tmp_path), Served(tmp_path)  # the page from two origins (the folder is empty)
    try:
        cli(
            "backfill",
            "--start",
            "2026-01-20",
            "--end",
            TODAY,
            "--warehouse",
            str(warehouse),
            "--dest",
            "gs://page-site",
            "--with-page",
            env=env,
        )
        cli("bucket", "cors", "--dest", "gs://page-site", "--origin", allowed.url, env=env)
        base = f"{proxy.url}/page-site/"
        page = Page(browser, f"{allowed.url}/?base={base}")
        try:
            assert page.settled() == "ready", page.text("status")
            model = page.page.evaluate(f"fetch('{base}v1/manifest.json').then((r) => r.json())")
            date = page.page.get_by_test_id("date-input").input_value()
            day = page.page.evaluate(f"fetch('{base}v1/picks/{date}.json').then((r) => r.json())")
            assert day["date"] == date and model["default_model"] == day["model"]
            assert_shows_day(page, day, day["groups"][0])
            seen = {response.url: response for response in page.responses if response.url.startswith(base)}
            day_response = seen[f"{base}v1/picks/{date}.json"]
            headers = day_response.all_headers()
            assert headers["access-control-allow-origin"] == allowed.url  # sent only to a request with that Origin
            assert headers["content-encoding"] == "gzip"  # the browser asked for and decoded the stored gzip
            assert headers["cache-control"] == "public, max-age=300"
            assert page.errors == []
        finally:
            page.close()
        blocked = Page(browser, f"{refused.url}/?base={base}")
        try:
            assert blocked.settled() == "error"
            assert blocked.text("status").startswith(f"Could not read {base}v1/manifest.json")
            assert any("CORS" in error for error in blocked.errors)
        finally:
            blocked.close()
        # Published with --with-page, the page in the bucket reads the files beside it (same origin, no ?base=).
        bucket = client_for(gcs.url).bucket("page-site")
        types = {
            name: bucket.get_blob(f"v1/page/{name}").content_type for name in ("index.html", "page.css", "page.js")
        }
        assert types == {
            "index.html": "text/html; charset=utf-8",
            "page.css": "text/css; charset=utf-8",
            "page.js": "text/javascript; charset=utf-8",
        }
        published = Page(browser, f"{base}v1/page/index.html")
        try:
            assert published.settled() == "ready", published.text("status")
            assert published.text("source").startswith(f"Source: {base}v1/picks/")
            assert published.errors == []
        finally:
            published.close()
    finally:
        allowed.stop()
        refused.stop()
        proxy.close()


def test_the_page_published_beside_the_files_reads_them_without_a_base(browser, server, site):
    """Published with --with-page at v1/page/, the page finds the destination's root two folders up."""
    opened = Page(browser, f"{server.url}/v1/page/index.html")
    try:
        assert opened.settled() == "ready"
        model = default_model(site)
        date = latest_with_picks(site, model)
        assert opened.text("source") == f"Source: {server.url}/v1/picks/{date}.json"
        day = read(site, f"v1/picks/{date}.json")
        assert_shows_day(opened, day, day["groups"][0])
    finally:
        opened.close()
