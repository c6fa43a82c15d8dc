-- Question:   Which real-time prices spiked (LMP >= 1000 $/MWh) in the last hour, and where?
-- Source:     raw_grid (fresh within seconds of delivery), read directly so the query needs no view and
--             reads the current and the previous hour's partitions only (the dt/hr predicate below, the
--             one v_grid_recent uses). The raw zone is at-least-once and holds every revision: per grid
--             natural key (record_type, market, settlement point, interval_minutes, event_time) the
--             highest version wins (an ERCOT price correction can end or make a spike), re-delivered
--             copies fold, as in v_grid_latest.
-- Window:     intervals starting in [window_start, window_end] = [now - 1 hour, now], both returned.
-- Grain:      one row per (settlement_point, interval_minutes, event_time) whose latest version has
--             LMP >= 1000.
-- Invariants: lmp = energy + congestion + loss (DECIMAL cents, exact); 1000 <= lmp <= 5000 (ERCOT's
--             cap); at most 60 / interval_minutes rows per point and interval length. No rows means no
--             spike in the window, never a missing partition: compare freshest_partition.sql.
WITH latest AS (
  SELECT
    event_time,
    settlement_point,
    settlement_point_type,
    load_zone,
    interval_minutes,
    lmp_usd_mwh,
    energy_usd_mwh,
    congestion_usd_mwh,
    loss_usd_mwh,
    coalesce(version, 1) AS version,
    row_number() OVER (
      PARTITION BY settlement_point, interval_minutes, event_time
      ORDER BY coalesce(version, 1) DESC, produced_at DESC, event_id DESC
    ) AS rank_in_key
  FROM raw_grid
  WHERE CAST(dt AS date) >= CAST(current_timestamp - INTERVAL '1' HOUR AS date)
    AND (CAST(dt AS date) > CAST(current_timestamp - INTERVAL '1' HOUR AS date)
         OR CAST(hr AS integer) >= hour(current_timestamp - INTERVAL '1' HOUR))
    AND event_time >= current_timestamp - INTERVAL '1' HOUR
    AND event_time <= current_timestamp
    AND record_type = 'SETTLEMENT_POINT_PRICE'
    AND market = 'RTM'
)
SELECT
  event_time,
  settlement_point,
  settlement_point_type,
  load_zone,
  interval_minutes,
  CAST(lmp_usd_mwh AS decimal(9, 2)) AS lmp_usd_mwh,
  CAST(energy_usd_mwh AS decimal(9, 2)) AS energy_usd_mwh,
  CAST(congestion_usd_mwh AS decimal(9, 2)) AS congestion_usd_mwh,
  CAST(loss_usd_mwh AS decimal(9, 2)) AS loss_usd_mwh,
  version,
  current_timestamp - INTERVAL '1' HOUR AS window_start,
  current_timestamp AS window_end
FROM latest
WHERE rank_in_key = 1
  AND lmp_usd_mwh >= 1000
ORDER BY event_time DESC, lmp_usd_mwh DESC, settlement_point
