-- Real-time price spikes (LMP >= 1000 $/MWh) of the last hour, straight from the raw zone (fresh
-- within a minute of delivery). The raw zone is at-least-once: grouping by point and interval folds
-- re-delivered copies. The dt/hr predicates prune partitions to the last one or two hours.
SELECT
  event_time,
  settlement_point,
  load_zone,
  max(lmp_usd_mwh) AS lmp_usd_mwh
FROM raw_grid
WHERE CAST(dt AS varchar) >= date_format(current_timestamp - INTERVAL '1' HOUR, '%Y-%m-%d')
  AND CAST(dt AS varchar) || lpad(CAST(hr AS varchar), 2, '0') >= date_format(current_timestamp - INTERVAL '1' HOUR, '%Y-%m-%d%H')
  AND event_time >= current_timestamp - INTERVAL '1' HOUR
  AND record_type = 'SETTLEMENT_POINT_PRICE'
  AND market = 'RTM'
  AND lmp_usd_mwh >= 1000
GROUP BY event_time, settlement_point, load_zone
ORDER BY event_time DESC, lmp_usd_mwh DESC
