-- name: schedule
-- Every date's schedule in a range, for the quality checks before publishing: the games that are played (not
-- postponed), how many of them are final, and the first tip-off among them. A date is "fully final" when every
-- played game is final; its picks should then all have a box score. Bad rows (a NULL status or tip-off) are the
-- problems query's business: this one only counts. The first tip-off comes as microseconds since the epoch (UTC),
-- as shown_picks gives computed_at: a plain integer, where a timestamp becomes a zoned datetime object per row.
SELECT
  game_date,
  SUM(CASE WHEN status != 'postponed' THEN 1 ELSE 0 END) AS games,
  SUM(CASE WHEN status = 'final' THEN 1 ELSE 0 END) AS final_games,
  UNIX_MICROS(MIN(CASE WHEN status != 'postponed' THEN tipoff_at END)) AS first_tipoff_us
FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.games`
WHERE game_date BETWEEN @first_date AND @last_date
GROUP BY game_date
ORDER BY game_date
