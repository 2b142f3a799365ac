// @ts-check
/**
 * The reference page of picks-export: it reads the published files (the manifest, a model's index, per-day and
 * season files) and shows them. No framework and no build step; the types come from the declarations generated
 * from the JSON Schemas, checked by `tsc --checkJs --strict`.
 *
 * Every value read from a file reaches the page as text (textContent), never as markup.
 */

/** @typedef {import("../schemas/types/picks-export").Manifest} Manifest */
/** @typedef {import("../schemas/types/picks-export").ManifestModel} ModelEntry */
/** @typedef {import("../schemas/types/picks-export").PicksIndex} PicksIndex */
/** @typedef {import("../schemas/types/picks-export").PicksDay} PicksDay */
/** @typedef {import("../schemas/types/picks-export").DayGroup} DayGroup */
/** @typedef {import("../schemas/types/picks-export").Pick} PickEntry */
/** @typedef {import("../schemas/types/picks-export").SeasonFile} Season */
/** @typedef {import("../schemas/types/picks-export").SeasonGroup} SeasonGroup */
/** @typedef {import("../schemas/types/picks-export").Records} Records */
/** @typedef {import("../schemas/types/picks-export").GroupStats} GroupStats */
/** @typedef {import("../schemas/types/picks-export").WinLossRecord} WinLossRecord */
/** @typedef {{wins: number, losses: number, pushes: number}} Counts */

const PERIODS = /** @type {const} */ (["season", "month", "week"]);
/** The stats shown as records, in order; the over/under split only in the season view. */
const FORM = /** @type {const} */ ([["last_10", "Last 10"], ["last_7_days", "Last 7 days"], ["last_30_days", "Last 30 days"]]);
const SPLIT = /** @type {const} */ ([["over", "Over"], ["under", "Under"]]);
const RESULT_LABELS = { hit: "Hit", miss: "Miss", push: "Push", dnp: "DNP" };

/**
 * An element of the page by its data-testid, of the expected class.
 * @template {HTMLElement} T
 * @param {string} testId
 * @param {new () => T} type
 * @returns {T}
 */
function part(testId, type) {
  const found = document.querySelector(`[data-testid="${testId}"]`);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} [data-testid=${testId}]`);
  return found;
}

const ui = {
  model: part("model-select", HTMLSelectElement),
  viewDay: part("view-day", HTMLButtonElement),
  viewSeason: part("view-season", HTMLButtonElement),
  dayControls: part("day-controls", HTMLElement),
  date: part("date-input", HTMLInputElement),
  dateList: part("date-list", HTMLDataListElement),
  previous: part("date-previous", HTMLButtonElement),
  next: part("date-next", HTMLButtonElement),
  seasonControls: part("season-controls", HTMLElement),
  season: part("season-select", HTMLSelectElement),
  status: part("status", HTMLElement),
  heading: part("heading", HTMLElement),
  tabs: part("tabs", HTMLElement),
  records: part("records", HTMLElement),
  stats: part("stats", HTMLElement),
  dayView: part("day-view", HTMLElement),
  picks: part("picks", HTMLTableElement),
  seasonView: part("season-view", HTMLElement),
  seasonDates: part("season-dates", HTMLElement),
  source: part("source", HTMLElement),
};

/**
 * What the page shows; the query string mirrors it so that a view can be linked.
 * @type {{base: URL, manifest: Manifest | null, model: ModelEntry | null, index: PicksIndex | null,
 *         view: "day" | "season", date: string, season: string, group: string | null, load: number}}
 */
const state = {
  base: baseUrl(new URL(window.location.href)),
  manifest: null,
  model: null,
  index: null,
  view: "day",
  date: "",
  season: "",
  group: null,
  load: 0,
};

/**
 * The destination's root: `?base=URL` (a bucket on another origin), else the folder above `v1/page/` when the
 * page is published beside the files, else the page's own origin (as `picks-export serve` shows it).
 * @param {URL} location
 * @returns {URL}
 */
function baseUrl(location) {
  const given = location.searchParams.get("base");
  if (given) return new URL(given.endsWith("/") ? given : `${given}/`, location);
  if (/\/page\/(index\.html)?$/.test(location.pathname)) return new URL("../../", location);
  return new URL("/", location);
}

/** A published file's URL from its path relative to the root. @param {string} path */
function fileUrl(path) {
  return new URL(path, state.base);
}

/**
 * A published JSON file, or null when it does not exist (HTTP 404).
 * @param {string} path
 * @returns {Promise<unknown>}
 */
async function fetchJson(path) {
  const url = fileUrl(path);
  const response = await fetch(url);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/**
 * A new element with text (never markup) and attributes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{text?: string, className?: string, testId?: string, data?: Record<string, string>}} [options]
 * @param {Node[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
function make(tag, options = {}, children = []) {
  const element = document.createElement(tag);
  if (options.text !== undefined) element.textContent = options.text;
  if (options.className) element.className = options.className;
  if (options.testId) element.dataset.testid = options.testId;
  for (const [key, value] of Object.entries(options.data ?? {})) element.dataset[key] = value;
  element.append(...children);
  return element;
}

/** "42–18–1": wins–losses–pushes. @param {Counts} counts */
function formatCounts(counts) {
  return `${counts.wins}–${counts.losses}–${counts.pushes}`;
}

/** "70.0%", or "—" when nothing was won or lost. @param {number | null} pct */
function formatPct(pct) {
  return pct === null ? "—" : `${pct.toFixed(1)}%`;
}

/** "+6.00 u", "-1.09 u", "0.00 u": units won at -110. @param {number} units */
function formatUnits(units) {
  return `${units > 0 ? "+" : ""}${units.toFixed(2)} u`;
}

/** "ROI +40.0%", or "ROI —" without a win or loss. @param {number | null} roi */
function formatRoi(roi) {
  return roi === null ? "ROI —" : `ROI ${roi > 0 ? "+" : ""}${roi.toFixed(1)}%`;
}

/** "W3" for three hits in a row, "L2" for two misses, "—" without a streak. @param {GroupStats["streak"]} streak */
function formatStreak(streak) {
  return streak === null ? "—" : `${streak.result === "hit" ? "W" : "L"}${streak.count}`;
}

/** "3 hits in a row", "1 miss in a row". @param {GroupStats["streak"]} streak */
function streakWords(streak) {
  if (streak === null) return "no hit or miss yet";
  const noun = streak.result === "hit" ? "hit" : "miss";
  return `${streak.count} ${streak.count === 1 ? noun : `${noun}${noun === "hit" ? "s" : "es"}`} in a row`;
}

/** The contract's pct: 100 × wins / (wins + losses) to one decimal, null without a decision. @param {Counts} counts */
function pctOf(counts) {
  const decided = counts.wins + counts.losses;
  return decided === 0 ? null : Math.round((1000 * counts.wins) / decided) / 10;
}

/** "Saturday, February 7, 2026" for a date like 2026-02-07, whatever the reader's time zone. @param {string} date */
function formatDate(date) {
  const [year, month, day] = date.split("-").map(Number);
  const moment = new Date(Date.UTC(year, month - 1, day, 12));
  return moment.toLocaleDateString("en-US", { weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

/**
 * The line above the content, and the page's state for whoever waits on it (tests read `body[data-state]`).
 * @param {"loading" | "ready" | "missing" | "error"} phase
 * @param {string} message
 */
function setStatus(phase, message) {
  ui.status.textContent = message;
  document.body.dataset.state = phase;
}

/** @param {PickEntry["result"]} result */
function badge(result) {
  const key = result ?? "pending";
  const label = result === null ? "Pending" : RESULT_LABELS[result];
  return make("span", { text: label, className: `badge badge-${key}`, testId: "result", data: { result: key } });
}

/**
 * A card with a label, wins–losses–pushes and the pct; `extra`: more lines under them.
 * @param {string} label
 * @param {WinLossRecord} tally
 * @param {string} testId
 * @param {Node[]} [extra]
 */
function recordCard(label, tally, testId, extra = []) {
  return make("div", { className: "record", testId }, [
    make("span", { text: label, className: "period" }),
    make("span", { text: formatCounts(tally), className: "wlp", testId: `${testId}-wlp` }),
    make("span", { text: formatPct(tally.pct), className: "pct", testId: `${testId}-pct` }),
    ...extra,
  ]);
}

/**
 * The season / month / week cards of a group (with units and ROI at −110 when the file has stats), or a line
 * saying there is no record yet; then the group's other stats (the over/under split with `split`).
 * @param {Records | null} record
 * @param {GroupStats | null | undefined} stats absent from files published before stats were added
 * @param {string} caption
 * @param {boolean} split
 */
function renderRecords(record, stats, caption, split) {
  ui.records.replaceChildren(make("h2", { text: caption }));
  ui.stats.replaceChildren();
  if (record === null) {
    ui.records.append(make("p", { text: "No graded picks yet: no record.", className: "none", testId: "record-none" }));
    return;
  }
  for (const period of PERIODS) {
    const tally = record[period];
    // Each figure stays whole when a narrow card wraps the line.
    const money = stats
      ? [
          make("div", { className: "money", testId: `record-${period}-money` }, [
            make("span", { text: formatUnits(stats.units[period]), testId: `record-${period}-units` }),
            make("span", { text: formatRoi(stats.roi[period]), testId: `record-${period}-roi` }),
            make("span", { text: "at −110", className: "price" }),
          ]),
        ]
      : [];
    ui.records.append(recordCard(period[0].toUpperCase() + period.slice(1), tally, `record-${period}`, money));
  }
  if (stats) renderStats(stats, split);
}

/**
 * The last 10, the streak, the rolling windows and (in the season view) the over/under split.
 * @param {GroupStats} stats
 * @param {boolean} split
 */
function renderStats(stats, split) {
  const streak = stats.streak;
  const streakCard = make("div", { className: "record", testId: "stats-streak" }, [
    make("span", { text: "Streak", className: "period" }),
    make("span", { text: formatStreak(streak), className: "wlp", testId: "stats-streak-value", data: { result: streak?.result ?? "none" } }),
    make("span", { text: streakWords(streak), className: "pct" }),
  ]);
  const [last10, ...windows] = FORM.map(([key, label]) => recordCard(label, stats[key], `stats-${key}`));
  const cards = [last10, streakCard, ...windows];
  if (split) cards.push(...SPLIT.map(([key, label]) => recordCard(label, stats[key], `stats-${key}`)));
  ui.stats.replaceChildren(...cards);
}

/**
 * One tab per group (every active subset), the chosen one pressed.
 * @param {{id: string, name: string}[]} groups
 * @param {string} chosen
 * @param {() => void} redraw
 */
function renderTabs(groups, chosen, redraw) {
  ui.tabs.replaceChildren(
    ...groups.map((group) => {
      const tab = make("button", { text: group.name, className: "tab", testId: "tab", data: { groupId: group.id } });
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", String(group.id === chosen));
      tab.addEventListener("click", () => {
        state.group = group.id;
        redraw();
      });
      return tab;
    }),
  );
}

/** @template {{id: string}} G @param {G[]} groups @returns {G | undefined} */
function chosenGroup(groups) {
  return groups.find((group) => group.id === state.group) ?? groups[0];
}

/**
 * A pick as a table row; on a narrow screen the stylesheet lays it out as a card, each figure under its
 * column's name (`data-label`).
 * @param {PickEntry} pick
 */
function pickRow(pick) {
  const actual = pick.actual === null ? "—" : String(pick.actual);
  return make("tr", { testId: "pick", data: { result: pick.result ?? "pending" } }, [
    make("td", { text: pick.player, className: "player", testId: "pick-player", data: { label: "Player" } }),
    make("td", { text: `${pick.team} vs ${pick.opponent}`, className: "team", testId: "pick-team", data: { label: "Team" } }),
    make("td", { text: `${pick.direction} ${pick.line}`, className: "line", testId: "pick-line", data: { label: "Pick" } }),
    make("td", { text: pick.prediction.toFixed(1), className: "number", testId: "pick-prediction", data: { label: "Prediction" } }),
    make("td", { text: actual, className: "number", testId: "pick-actual", data: { label: "Actual" } }),
    make("td", { className: "result", data: { label: "Result" } }, [badge(pick.result)]),
  ]);
}

/** @param {PicksDay} day */
function renderDay(day) {
  const group = chosenGroup(day.groups);
  const redraw = () => renderDay(day);
  renderTabs(day.groups, group?.id ?? "", redraw);
  const signal = day.signal === null ? "no signal" : `signal: ${day.signal}`;
  ui.heading.textContent = `${formatDate(day.date)} · ${signal}`;
  const body = ui.picks.tBodies[0];
  if (!group) {
    ui.records.replaceChildren();
    ui.stats.replaceChildren();
    body.replaceChildren();
    return;
  }
  renderRecords(group.record, group.stats, `${group.name}: records entering ${day.date}`, false);
  body.replaceChildren(...group.picks.map(pickRow));
  if (group.picks.length === 0) {
    const cell = make("td", { text: "No picks in this group on this date.", className: "none", testId: "no-picks" });
    cell.colSpan = 6;
    body.append(make("tr", {}, [cell]));
  }
}

/**
 * Each date of a group, newest first, with the running record up to and including it.
 * @param {SeasonGroup} group
 */
function seasonRows(group) {
  /** @type {Counts} */
  const running = { wins: 0, losses: 0, pushes: 0 };
  const chronological = [...group.dates].reverse().map((entry) => {
    /** @type {Counts} */
    const own = { wins: 0, losses: 0, pushes: 0 };
    for (const pick of entry.picks) {
      if (pick.result === "hit") own.wins += 1;
      else if (pick.result === "miss") own.losses += 1;
      else if (pick.result === "push") own.pushes += 1;
    }
    running.wins += own.wins;
    running.losses += own.losses;
    running.pushes += own.pushes;
    return { entry, own, total: { ...running } };
  });
  return chronological.reverse();
}

/** @param {Season} season */
function renderSeason(season) {
  const group = chosenGroup(season.groups);
  renderTabs(season.groups, group?.id ?? "", () => renderSeason(season));
  ui.heading.textContent = `Season ${season.season} · ${season.as_of === null ? "nothing graded yet" : `records as of ${season.as_of}`}`;
  if (!group) {
    ui.records.replaceChildren();
    ui.stats.replaceChildren();
    ui.seasonDates.replaceChildren();
    return;
  }
  renderRecords(group.record, group.stats, `${group.name}: season ${season.season}`, true);
  ui.seasonDates.replaceChildren(
    ...seasonRows(group).map(({ entry, own, total }) =>
      make("li", { testId: "season-date", data: { date: entry.date } }, [
        make("div", { className: "season-date-head" }, [
          make("strong", { text: entry.date, testId: "season-date-label" }),
          make("span", { text: entry.signal ?? "no signal", className: "signal" }),
          make("span", { text: `day ${formatCounts(own)}`, testId: "season-day-record" }),
          make("span", {
            text: `running ${formatCounts(total)} · ${formatPct(pctOf(total))}`,
            className: "running",
            testId: "season-running",
          }),
        ]),
        make(
          "ul",
          { className: "season-picks" },
          entry.picks.map((pick) =>
            make("li", { testId: "season-pick" }, [
              make("span", { text: pick.player, className: "player", testId: "pick-player" }),
              make("span", { text: ` ${pick.direction} ${pick.line} ` }),
              badge(pick.result),
            ]),
          ),
        ),
      ]),
    ),
  );
}

function clearContent() {
  ui.tabs.replaceChildren();
  ui.records.replaceChildren();
  ui.stats.replaceChildren();
  ui.picks.tBodies[0].replaceChildren();
  ui.seasonDates.replaceChildren();
  ui.heading.textContent = "";
}

/** The index's dates with picks, newest first. */
function datesWithPicks() {
  return (state.index?.dates ?? []).filter((entry) => entry.picks > 0).map((entry) => entry.date);
}

function syncControls() {
  ui.viewDay.setAttribute("aria-pressed", String(state.view === "day"));
  ui.viewSeason.setAttribute("aria-pressed", String(state.view === "season"));
  ui.dayControls.hidden = state.view !== "day";
  ui.dayView.hidden = state.view !== "day";
  ui.seasonControls.hidden = state.view !== "season";
  ui.seasonView.hidden = state.view !== "season";
  ui.date.value = state.date;
  ui.season.value = state.season;
  const dates = datesWithPicks();
  ui.previous.disabled = !dates.some((date) => date < state.date);
  ui.next.disabled = !dates.some((date) => date > state.date);
  const query = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries({ model: state.model?.code ?? "", view: state.view, date: state.date, season: state.season })) {
    if (value) query.set(key, value);
  }
  window.history.replaceState(null, "", `?${query}`);
}

/** Show what the state says: the day's file or the season's, fetched afresh (a later call wins). */
async function show() {
  const load = ++state.load;
  syncControls();
  const model = state.model;
  if (!model) return;
  setStatus("loading", "Loading…");
  try {
    if (state.view === "day") {
      const path = `${model.path}picks/${state.date}.json`;
      const day = /** @type {PicksDay | null} */ (await fetchJson(path));
      if (load !== state.load) return;
      clearContent();
      if (day === null) {
        setStatus("missing", `No picks published for this date (${state.date}).`);
        return;
      }
      setStatus("ready", "");
      renderDay(day);
      ui.source.textContent = `Source: ${fileUrl(path)}`;
    } else {
      const entry = model.seasons.find((each) => each.season === state.season);
      const season = entry ? /** @type {Season | null} */ (await fetchJson(entry.path)) : null;
      if (load !== state.load) return;
      clearContent();
      if (season === null || !entry) {
        setStatus("missing", `No season file published for ${state.season}.`);
        return;
      }
      setStatus("ready", "");
      renderSeason(season);
      ui.source.textContent = `Source: ${fileUrl(entry.path)}`;
    }
  } catch (error) {
    if (load !== state.load) return;
    clearContent();
    setStatus("error", `Could not read the published files: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Switch to a model: read its index, then open the wanted date (else its latest date with picks).
 * @param {ModelEntry} model
 * @param {{date?: string | null, season?: string | null}} [wanted]
 */
async function openModel(model, wanted = {}) {
  setStatus("loading", "Loading…");
  state.model = model;
  ui.model.value = model.code;
  state.index = /** @type {PicksIndex | null} */ (await fetchJson(model.index));
  const dates = (state.index?.dates ?? []).map((entry) => entry.date);
  ui.dateList.replaceChildren(...dates.map((date) => make("option", { text: date })));
  ui.date.min = dates[dates.length - 1] ?? "";
  ui.date.max = dates[0] ?? "";
  const date = wanted.date && /^\d{4}-\d{2}-\d{2}$/.test(wanted.date) ? wanted.date : null; // only a date names a file
  state.date = date || datesWithPicks()[0] || model.latest_date || "";
  ui.season.replaceChildren(...model.seasons.map((each) => make("option", { text: each.season })));
  const seasons = model.seasons.map((each) => each.season);
  state.season = wanted.season && seasons.includes(wanted.season) ? wanted.season : model.current_season ?? seasons[0] ?? "";
  await show();
}

/** Step to the next (+1) or previous (-1) date with picks. @param {1 | -1} step */
function stepDate(step) {
  const dates = datesWithPicks();
  const candidates = step > 0 ? dates.filter((date) => date > state.date).reverse() : dates.filter((date) => date < state.date);
  if (candidates.length > 0) {
    state.date = candidates[0];
    void show();
  }
}

async function start() {
  const query = new URLSearchParams(window.location.search);
  const manifestPath = "v1/manifest.json";
  let manifest;
  try {
    manifest = /** @type {Manifest | null} */ (await fetchJson(manifestPath));
  } catch (error) {
    setStatus("error", `Could not read ${fileUrl(manifestPath)}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (manifest === null) {
    setStatus("error", `Nothing published at ${fileUrl(manifestPath)} (no manifest).`);
    return;
  }
  state.manifest = manifest;
  ui.model.replaceChildren(
    ...manifest.models.map((model) => {
      const option = make("option", { text: `${model.name} (${model.code})` });
      option.value = model.code;
      return option;
    }),
  );
  const view = query.get("view");
  state.view = view === "season" ? "season" : "day";
  const wantedModel = manifest.models.find((model) => model.code === query.get("model"));
  const model = wantedModel ?? manifest.models.find((each) => each.default) ?? manifest.models[0];
  if (!model) {
    setStatus("error", "The manifest lists no model.");
    return;
  }
  ui.model.addEventListener("change", () => {
    const chosen = manifest.models.find((each) => each.code === ui.model.value);
    if (chosen) void openModel(chosen, { season: state.season });
  });
  ui.date.addEventListener("change", () => {
    if (!ui.date.value) return;
    state.date = ui.date.value;
    void show();
  });
  ui.season.addEventListener("change", () => {
    state.season = ui.season.value;
    void show();
  });
  ui.previous.addEventListener("click", () => stepDate(-1));
  ui.next.addEventListener("click", () => stepDate(1));
  for (const button of [ui.viewDay, ui.viewSeason]) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view === "season" ? "season" : "day";
      void show();
    });
  }
  await openModel(model, { date: query.get("date"), season: query.get("season") });
}

void start();
