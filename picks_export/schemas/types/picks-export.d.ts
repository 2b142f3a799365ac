/**
 * TypeScript declarations of the files picks-export publishes (v1/manifest.json, v1/status.json,
 * v1/picks/{date}.json, v1/picks/index.json, v1/subsets/...). Generated from the JSON Schemas in picks_export/schemas/json/ by
 * web/gen-types.mjs (json-schema-to-typescript): do not edit; run `npm run --prefix web types`.
 */

/**
 * The shown picks of one model on one game date, by group, with each group's records entering the date.
 */
export interface PicksDay {
  /**
   * The game date of the file, YYYY-MM-DD (dates are game dates in America/New_York).
   */
  date: string;
  /**
   * When the run that built the file started: UTC, ISO 8601, to the second, with Z. A re-export over unchanged data keeps the published file, and so its generated_at.
   */
  generated_at: string;
  /**
   * The code of the model whose picks these are (e.g. 926A); never its internal id.
   */
  model: string;
  /**
   * The day's market signal for the model: favorable, neutral or challenging; null when the model has no signal for the date.
   */
  signal: "favorable" | "neutral" | "challenging" | null;
  /**
   * Every active pick group (a tab of the site), in display order, even one without picks that day.
   */
  groups: DayGroup[];
}

/**
 * One pick group on this date; its record counts the picks entering the date (dated before it); its stats count the same picks.
 */
export interface DayGroup {
  /**
   * The group's stable id (e.g. top_pick).
   */
  id: string;
  /**
   * The group's display name.
   */
  name: string;
  record: Records;
  stats?: GroupStats;
  /**
   * The group's shown picks of the date, by rank, then player; empty when it has none.
   */
  picks: Pick[];
}

/**
 * A group's records over the season, the calendar month and the Monday-to-Sunday week that contain the reference date.
 */
export interface Records {
  season: WinLossRecord;
  month: WinLossRecord;
  week: WinLossRecord;
}

/**
 * Wins, losses and pushes of one group's shown picks over one period. dnp picks (void) and picks not graded yet count nowhere.
 */
export interface WinLossRecord {
  /**
   * Picks whose result is hit.
   */
  wins: number;
  /**
   * Picks whose result is miss.
   */
  losses: number;
  /**
   * Picks whose result is push (the actual points equal the line).
   */
  pushes: number;
  /**
   * 100 × wins / (wins + losses), rounded half away from zero to one decimal; null when there is no win or loss (pushes do not count).
   */
  pct: number | null;
}

/**
 * What bettors read beside the records, over the same picks: the group's shown picks of the season containing the reference date with a hit, miss or push (dnp and picks not graded yet count nowhere), dated before the date in a per-day file, on or before as_of in a season file. Units and ROI at an assumed −110, the last 10 picks, the current streak, rolling 7- and 30-day windows and the OVER/UNDER split.
 */
export interface GroupStats {
  units: UnitsByPeriod;
  roi: RoiByPeriod;
  last_10: WinLossRecord;
  /**
   * The current streak among the season's hits and misses in file order; null when the season has no hit or miss yet.
   */
  streak: Streak | null;
  last_7_days: WinLossRecord;
  last_30_days: WinLossRecord;
  over: WinLossRecord;
  under: WinLossRecord;
}

/**
 * Units won by flat one-unit stakes at an assumed price of −110 over the record's periods: a hit wins 100/110 of a unit, a miss loses 1, a push 0. The exact sum (10 × wins − 11 × losses) / 11, rounded half away from zero to two decimals (42 hits, 18 misses: 20.18).
 */
export interface UnitsByPeriod {
  /**
   * Units over the picks of the season record.
   */
  season: number;
  /**
   * Units over the picks of the month record.
   */
  month: number;
  /**
   * Units over the picks of the week record.
   */
  week: number;
}

/**
 * Return on investment at −110 over the record's periods, in percent of the units staked: 100 × units / (wins + losses) from the exact fraction (not the rounded units), rounded half away from zero to one decimal; null when there is no win or loss. Break-even is a pct of 52.38.
 */
export interface RoiByPeriod {
  /**
   * ROI over the picks of the season record; null without a win or loss.
   */
  season: number | null;
  /**
   * ROI over the picks of the month record; null without a win or loss.
   */
  month: number | null;
  /**
   * ROI over the picks of the week record; null without a win or loss.
   */
  week: number | null;
}

/**
 * The trailing run of equal results among the season's hits and misses, in file order; pushes neither extend nor break it.
 */
export interface Streak {
  /**
   * hit for a winning streak, miss for a losing one.
   */
  result: "hit" | "miss";
  /**
   * How many hits (or misses) in a row, 1 or more.
   */
  count: number;
}

/**
 * One shown pick: from the latest version of the model's picks computed before the date's first tip-off.
 */
export interface Pick {
  /**
   * The player's display name.
   */
  player: string;
  /**
   * The player's team (abbreviation, e.g. LAL).
   */
  team: string;
  /**
   * The opposing team (abbreviation).
   */
  opponent: string;
  /**
   * The model's predicted points, rounded half away from zero to one decimal.
   */
  prediction: number;
  /**
   * The points line the pick is against (0 or more), as stored.
   */
  line: number;
  /**
   * OVER: the pick wins when the player scores more than the line; UNDER: when fewer.
   */
  direction: "OVER" | "UNDER";
  /**
   * The points scored; null when the pick is not graded yet or the player did not play (dnp).
   */
  actual: number | null;
  /**
   * hit, miss or push against the line; dnp when the player did not play (void: it counts in no record); null when not graded yet.
   */
  result: "hit" | "miss" | "push" | "dnp" | null;
}

/**
 * Records as of as_of, or null when the season has no graded pick.
 */
export type RecordsOrNull = {
  season: WinLossRecord;
  month: WinLossRecord;
  week: WinLossRecord;
} | null;

/**
 * Every shown pick of one model in one season, by group and date (newest first), with records as of a date.
 */
export interface SeasonFile {
  /**
   * When the run that built the file started: UTC, ISO 8601, to the second, with Z. A re-export over unchanged data keeps the published file, and so its generated_at.
   */
  generated_at: string;
  /**
   * The code of the model whose picks these are (e.g. 926A); never its internal id.
   */
  model: string;
  /**
   * The season's label, YYYY-YY: the season runs from Aug 1 of YYYY to Jul 31 of the next year.
   */
  season: string;
  /**
   * The date the records count up to, included: by default the season's latest date with a hit, miss or push. null when the season has no graded pick, and then every group's record is null.
   */
  as_of: string | null;
  /**
   * Every active pick group (a tab of the site), in display order.
   */
  groups: SeasonGroup[];
}

/**
 * One pick group over the season; its record counts the picks dated on or before as_of (null when as_of is); its stats count the same picks.
 */
export interface SeasonGroup {
  /**
   * The group's stable id (e.g. top_pick).
   */
  id: string;
  /**
   * The group's display name.
   */
  name: string;
  record: RecordsOrNull;
  /**
   * The group's stats as of as_of: over the picks its record counts (the season's picks dated on or before as_of); null when record is (the season has no graded pick). Absent from files published before the field was added (a file not rebuilt since): a reader treats it as unknown.
   */
  stats?: GroupStats | null;
  /**
   * The dates of the season on which the group has shown picks, newest first.
   */
  dates: SeasonDate[];
}

/**
 * One date's shown picks of a group.
 */
export interface SeasonDate {
  /**
   * The game date, YYYY-MM-DD; its per-day file is picks/{date}.json in the same model's folder.
   */
  date: string;
  /**
   * The day's market signal for the model: favorable, neutral or challenging; null when the model has no signal for the date.
   */
  signal: "favorable" | "neutral" | "challenging" | null;
  /**
   * The group's shown picks of that date, by rank, then player.
   */
  picks: Pick[];
}

/**
 * Every published per-day file of one model, newest first: how many picks it shows and whether every one of them has a result.
 */
export interface PicksIndex {
  /**
   * When the run that built the file started: UTC, ISO 8601, to the second, with Z. A re-export over unchanged data keeps the published file, and so its generated_at.
   */
  generated_at: string;
  /**
   * The code of the model whose picks these are (e.g. 926A); never its internal id.
   */
  model: string;
  /**
   * Every published per-day file of the model, newest first.
   */
  dates: IndexDate[];
}

/**
 * One published per-day file.
 */
export interface IndexDate {
  /**
   * The file's date, YYYY-MM-DD: the file is picks/{date}.json beside this index.
   */
  date: string;
  /**
   * How many picks the file shows, over all its groups. At most the largest integer every JSON reader holds exactly (2^53 - 1): a figure beyond it is never published.
   */
  picks: number;
  /**
   * True when the file has picks and every one has a result (dnp included); a date without picks is never graded.
   */
  graded: boolean;
}

/**
 * Everything a reader can fetch, in one file: the schemas, every model with its index, its latest dates and its season files. Published last by every run, after the files it points to. Every path is relative to the destination's root and includes the prefix (v1/).
 */
export interface Manifest {
  /**
   * The version of the file layout and schemas, from the prefix: "v1" for v1/. A breaking change is published under a new prefix (v2/) beside this one.
   */
  api_version: string;
  /**
   * When the run that wrote this manifest started building its documents: UTC, ISO 8601, to the second, with Z.
   */
  generated_at: string;
  /**
   * The code of the default model (the champion), whose files live at the prefix's root; null when no default model has published files.
   */
  default_model: string | null;
  /**
   * Where the JSON Schemas of each kind of file and the TypeScript declarations of every file are published.
   */
  schemas: {
    /**
     * The JSON Schema of per-day files (picks/{YYYY-MM-DD}.json).
     */
    day: string;
    /**
     * The JSON Schema of season files (subsets/seasons/{season}.json and subsets/season.json).
     */
    season: string;
    /**
     * The JSON Schema of index files (picks/index.json).
     */
    index: string;
    /**
     * The JSON Schema of this manifest.
     */
    manifest: string;
    /**
     * TypeScript declarations of every file (Content-Type application/typescript), generated from the JSON Schemas.
     */
    types: string;
  };
  /**
   * The status file (status.json under the prefix): what state the published data is in (the last run, each model's grading, the quality checks' warnings). Added within v1: a manifest written by an earlier version has no such field.
   */
  status?: string;
  /**
   * Every enabled model with published files: the default model first, then the others by code.
   */
  models: ManifestModel[];
}

/**
 * One model and where its files are.
 */
export interface ManifestModel {
  /**
   * The model's public code, as in the `model` field of its files.
   */
  code: string;
  /**
   * The model's display name.
   */
  name: string;
  /**
   * True for the default model (the champion), whose files live at the prefix's root.
   */
  default: boolean;
  /**
   * The folder of the model's files, ending in /: the prefix for the default model, {prefix}models/{code}/ for the others. picks/{YYYY-MM-DD}.json, picks/index.json and subsets/... are under it.
   */
  path: string;
  /**
   * The model's index of per-day files (picks/index.json under `path`).
   */
  index: string;
  /**
   * The season containing today in New York (YYYY-YY) when it has a season file, also served at subsets/season.json under `path`; null otherwise.
   */
  current_season: string | null;
  /**
   * The latest date (YYYY-MM-DD) whose published per-day file has at least one pick; null when none has.
   */
  latest_date: string | null;
  /**
   * The latest date whose published per-day file is fully graded (it has picks and every one has a result, dnp included); null when none is.
   */
  latest_graded_date: string | null;
  /**
   * Every season of the model that has a season file, newest first.
   */
  seasons: ManifestSeason[];
}

/**
 * One published season file of a model.
 */
export interface ManifestSeason {
  /**
   * The season's label, YYYY-YY (the season starting Aug 1 of YYYY).
   */
  season: string;
  /**
   * The season file (subsets/seasons/{season}.json under the model's `path`).
   */
  path: string;
  /**
   * The season file's `as_of`: its records count the picks dated on or before it; null when the season has no graded pick.
   */
  as_of: string | null;
  /**
   * The earliest date with picks in the season file; null when it has none.
   */
  first_date: string | null;
  /**
   * The latest date with picks in the season file; null when it has none.
   */
  last_date: string | null;
  /**
   * The season's picks as a Parquet table beside the season file (subsets/seasons/{season}.parquet), one row per pick; absent when none is published.
   */
  parquet?: string;
}

/**
 * What state the published data is in: the last run that published, and per model its latest published and fully graded dates, the dates still waiting for grading and the quality checks' warnings. Written last by every publishing run and served with Cache-Control: no-cache, so a page can show "results updating" and an operator can alert on it (picks-export status).
 */
export interface Status {
  run: StatusRun;
  /**
   * Every model a run has published, by code. A run for one model replaces that model's entry and keeps the others'.
   */
  models: StatusModel[];
}

/**
 * The run that wrote this file.
 */
export interface StatusRun {
  /**
   * The run's id: its start time in nanoseconds and a random suffix; later runs sort after earlier ones.
   */
  id: string;
  /**
   * The command that ran (daily, backfill or season); null when the library was called directly.
   */
  command: string | null;
  /**
   * When the run started: UTC, ISO 8601, to the second, with Z.
   */
  started_at: string;
  /**
   * When the run built this file, its last one, after every other file was published: UTC, ISO 8601, to the second, with Z.
   */
  finished_at: string;
  /**
   * The version of picks-export that ran.
   */
  version: string;
}

/**
 * One model's state, as the run that last published it found its per-day files.
 */
export interface StatusModel {
  /**
   * The model's code.
   */
  code: string;
  /**
   * The path of the model's index (picks/index.json) from the destination's root.
   */
  index: string;
  /**
   * The id of the run that wrote this entry (an earlier run than run.id when another model's run wrote the file since).
   */
  checked_by_run: string;
  /**
   * When this entry was built: UTC, ISO 8601, to the second, with Z.
   */
  checked_at: string;
  /**
   * The latest date with a published per-day file that has picks; null when there is none.
   */
  latest_date: string | null;
  /**
   * The latest date whose published picks all have a result; null when there is none.
   */
  latest_graded_date: string | null;
  /**
   * Dates before the run's today (New York) with published picks that do not all have a result yet, oldest first: results are still to come.
   */
  waiting_for_grading: string[];
  /**
   * What the quality checks found in the dates this entry's run published (empty when all is well).
   */
  warnings: StatusWarning[];
}

/**
 * One finding of a quality check (docs/operator.md: Quality checks).
 */
export interface StatusWarning {
  /**
   * Which check: grading (games final, box scores missing), stale (picks computed long before tip-off) or volume (a drop, published with --allow-shrink or on a dry run).
   */
  check: "grading" | "stale" | "volume";
  /**
   * The game date the finding is about.
   */
  date: string;
  /**
   * The finding in words, for a person.
   */
  message: string;
}
