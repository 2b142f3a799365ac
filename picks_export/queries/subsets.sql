-- name: subsets
-- Every pick group (tab); inactive ones are kept so that a pick naming one is known, not unknown.
SELECT subset_id, name, display_order, is_active
FROM `{% if project %}{{ project }}.{% endif %}{{ dataset }}.subset_definitions`
ORDER BY display_order, subset_id
