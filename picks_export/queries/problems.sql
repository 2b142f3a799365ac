-- name: problems
-- Rows that would make the run's files silently wrong, wherever they are in the range (not only in shown
-- versions), so that the run stops naming them: a game whose status is unknown or whose tipoff_at is missing
-- while it is not postponed (the lock could not be computed), a pick of the run's models with a NULL in a column
-- that decides the lock or the pick's identity, a box score with negative or non-finite numbers, a signal whose
-- model or date is NULL. A row with a NULL game_date belongs to no date: it is a problem when its table is the
-- schedule or the box scores, or when it may belong to one of the run's models.
-- At most 10 rows come back, each with the count of every problem row.
-- Each dated table's filter starts with its partition filter (game_date NULL or in the range, as every row the
-- rest of its filter keeps is), so that BigQuery scans the range's partitions and the NULL one, not the history.
WITH found AS (
  SELECT
    'games' AS source,
    CASE
      WHEN game_date IS NULL THEN 'game_date'
      WHEN status IS NULL OR status NOT IN ('scheduled', 'in_progress', 'final', 'postponed') THEN 'status'
      ELSE 'tipoff_at'
    END AS problem,
    game_date,
    CAST(NULL AS STRING) AS system_id,
    CAST(NULL AS STRING) AS version_id,
    CAST(NULL AS STRING) AS subset_id,
    CAST(NULL AS STRING) AS player_lookup,
    game_id,
    status,
    CAST(NULL AS FLOAT64) AS number
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.games`
  WHERE (game_date IS NULL OR game_date BETWEEN @first_date AND @last_date)
    AND (game_date IS NULL
         OR status IS NULL
         OR status NOT IN ('scheduled', 'in_progress', 'final', 'postponed')
         OR (tipoff_at IS NULL AND status != 'postponed'))
  UNION ALL
  SELECT
    'subset_picks' AS source,
    CASE
      WHEN game_date IS NULL THEN 'game_date'
      WHEN system_id IS NULL THEN 'system_id'
      WHEN version_id IS NULL THEN 'version_id'
      WHEN computed_at IS NULL THEN 'computed_at'
      ELSE 'player_lookup'
    END AS problem,
    game_date,
    system_id,
    version_id,
    subset_id,
    player_lookup,
    CAST(NULL AS STRING) AS game_id,
    CAST(NULL AS STRING) AS status,
    CAST(NULL AS FLOAT64) AS number
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.subset_picks`
  WHERE (game_date IS NULL OR game_date BETWEEN @first_date AND @last_date)
    AND ((game_date IS NULL AND (system_id IS NULL OR system_id IN UNNEST(@system_ids)))
         OR (game_date IS NOT NULL
             AND (system_id IS NULL
                  OR (system_id IN UNNEST(@system_ids)
                      AND (version_id IS NULL OR computed_at IS NULL OR player_lookup IS NULL)))))
  UNION ALL
  SELECT
    'player_game_summary' AS source,
    CASE
      WHEN game_date IS NULL THEN 'game_date'
      WHEN points < 0 THEN 'points'
      ELSE 'minutes'
    END AS problem,
    game_date,
    CAST(NULL AS STRING) AS system_id,
    CAST(NULL AS STRING) AS version_id,
    CAST(NULL AS STRING) AS subset_id,
    player_lookup,
    CAST(NULL AS STRING) AS game_id,
    CAST(NULL AS STRING) AS status,
    CASE WHEN points < 0 THEN CAST(points AS FLOAT64) ELSE CAST(minutes AS FLOAT64) END AS number
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.player_game_summary`
  WHERE (game_date IS NULL OR game_date BETWEEN @first_date AND @last_date)
    AND (game_date IS NULL
         OR points < 0
         OR CAST(minutes AS FLOAT64) < 0
         OR IS_NAN(CAST(minutes AS FLOAT64))
         OR IS_INF(CAST(minutes AS FLOAT64)))
  UNION ALL
  SELECT
    'daily_signals' AS source,
    CASE WHEN game_date IS NULL THEN 'game_date' ELSE 'system_id' END AS problem,
    game_date,
    system_id,
    CAST(NULL AS STRING) AS version_id,
    CAST(NULL AS STRING) AS subset_id,
    CAST(NULL AS STRING) AS player_lookup,
    CAST(NULL AS STRING) AS game_id,
    CAST(NULL AS STRING) AS status,
    CAST(NULL AS FLOAT64) AS number
  FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.daily_signals`
  WHERE (game_date IS NULL OR game_date BETWEEN @first_date AND @last_date)
    AND ((game_date IS NULL AND (system_id IS NULL OR system_id IN UNNEST(@system_ids)))
         OR (game_date IS NOT NULL AND system_id IS NULL))
)
SELECT *, COUNT(*) OVER () AS problem_rows
FROM found
ORDER BY source, game_date, system_id, version_id, subset_id, player_lookup, game_id, problem
LIMIT 10
