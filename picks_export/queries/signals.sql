-- name: signals
-- The model's market signal for each date of the range.
SELECT game_date, signal
FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.daily_signals`
WHERE system_id = @system_id
  AND game_date BETWEEN @first_date AND @last_date
ORDER BY game_date, signal
