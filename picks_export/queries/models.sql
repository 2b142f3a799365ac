-- name: models
-- Every prediction model; the exporter picks the champion or the one named on the command line.
SELECT system_id, code, name, is_champion, enabled
FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.models`
ORDER BY code, system_id
