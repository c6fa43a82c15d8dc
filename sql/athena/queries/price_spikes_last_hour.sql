-- Real-time price spikes (LMP >= 1000 $/MWh) of the last hour, straight from the raw zone (fresh
-- within a minute of delivery). The raw zone is at-least-once: grouping by point and interval folds
-- re-delivered copies. The dt and hr predicates (one column each, so both engines can prune folders
-- with them) keep the scan to the current and the previous hour's partitions.
SELECT
  event_time,
  settlement_point,
  load_zone,
  max(lmp_usd_mwh) AS lmp_usd_mwh
FROM raw_grid
WHERE CAST(dt AS varchar) IN (date_format(current_timestamp - INTERVAL '1' HOUR, '%Y-%m-%d'), date_format(current_timestamp, '%Y-%m-%d'))
  AND CAST(hr AS integer) IN (hour(current_timestamp - INTERVAL '1' HOUR), hour(current_timestamp))
  AND event_time >= current_timestamp - INTERVAL '1' HOUR
  AND record_type = 'SETTLEMENT_POINT_PRICE'
  AND market = 'RTM'
  AND lmp_usd_mwh >= 1000
GROUP BY event_time, settlement_point, load_zone
ORDER BY event_time DESC, lmp_usd_mwh DESC
