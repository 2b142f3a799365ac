-- name: shown_picks
-- The shown picks of the run's models (one, or every enabled one) for every date of a range, with their
-- box-score actuals, in model order so that a run can build one model's files at a time as the rows stream in.
-- The shown version of a date is the greatest version_id whose computed_at (the latest of its rows) is before
-- the date's first tip-off among games that are not postponed; with no such game every version is a candidate.
-- The lock is per model: versions are grouped by system_id, so one model's versions never hide another's.
-- Each row's computed_at gives the shown version's (the latest of its rows), for the stale-picks check: as
-- microseconds since the epoch (UTC), a plain integer that is cheap to fetch, where a timestamp becomes a zoned
-- datetime object per row.
-- Files and records are both built from these rows, so they cannot disagree. The FLOAT64 columns are cast so
-- that an exact numeric column the type check accepts (an INT64, a narrow DECIMAL) gives the same floats.
WITH first_tipoff AS (
  SELECT game_date, MIN(tipoff_at) AS tipoff_at
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.games`
  WHERE game_date BETWEEN @first_date AND @last_date
    AND status IS DISTINCT FROM 'postponed'
  GROUP BY game_date
),
versions AS (
  SELECT system_id, game_date, version_id, MAX(computed_at) AS computed_at
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.subset_picks`
  WHERE system_id IN UNNEST(@system_ids)
    AND game_date BETWEEN @first_date AND @last_date
  GROUP BY system_id, game_date, version_id
),
shown AS (
  SELECT v.system_id, v.game_date, MAX(v.version_id) AS version_id
  FROM versions AS v
  LEFT JOIN first_tipoff AS f ON f.game_date = v.game_date
  WHERE f.tipoff_at IS NULL OR v.computed_at < f.tipoff_at
  GROUP BY v.system_id, v.game_date
),
actuals AS (
  SELECT
    game_date, player_lookup, MAX(points) AS points, MAX(CAST(minutes AS FLOAT64)) AS minutes, COUNT(*) AS summary_rows
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.player_game_summary`
  WHERE game_date BETWEEN @first_date AND @last_date
  GROUP BY game_date, player_lookup
)
SELECT
  p.system_id,
  p.game_date,
  p.version_id,
  p.subset_id,
  p.player_lookup,
  p.player_name,
  p.team,
  p.opponent,
  CAST(p.predicted_points AS FLOAT64) AS predicted_points,
  CAST(p.line AS FLOAT64) AS line,
  p.direction,
  p.pick_rank,
  UNIX_MICROS(p.computed_at) AS computed_at_us,
  a.points,
  a.minutes,
  COALESCE(a.summary_rows, 0) AS summary_rows
FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.subset_picks` AS p
JOIN shown AS s ON s.system_id = p.system_id AND s.game_date = p.game_date AND s.version_id = p.version_id
LEFT JOIN actuals AS a ON a.game_date = p.game_date AND a.player_lookup = p.player_lookup
WHERE p.system_id IN UNNEST(@system_ids)
  AND p.game_date BETWEEN @first_date AND @last_date
ORDER BY p.system_id, p.game_date, p.subset_id, p.pick_rank, p.player_name, p.player_lookup
