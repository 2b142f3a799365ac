-- name: signals
-- The market signal of each of the run's models for each date of the range.
SELECT system_id, game_date, signal
FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.daily_signals`
WHERE system_id IN UNNEST(@system_ids)
  AND game_date BETWEEN @first_date AND @last_date
ORDER BY system_id, game_date, signal
