-- v_grid_latest: the raw grid zone (fresh within seconds of delivery), one row per natural key.
--   Question: what is the latest published value of every grid interval, including the last minutes?
--   Grain:    one row per (record_type, market, coalesce(settlement_point, load_zone), interval_minutes,
--             event_time) - the grid natural key (grid contract v2). The raw zone is at-least-once and
--             holds every revision: the highest `version` wins (an ERCOT price correction), then the
--             latest produced_at, then event_id, so re-delivered copies fold into one row; raw_rows
--             counts the raw rows of the key (revisions and re-delivered copies). Files written before
--             contract v2 have no version: they count as version 1.
--   Columns:  the contract's price and load columns plus dt DATE and hr INTEGER (the partition: UTC
--             date and hour of event_time), typed the same in Athena (Glue: strings) and DuckDB.
--   Cheap "last N hours": compare dt and hr with plain comparisons (both engines prune folders with
--   them; an expression combining dt and hr such as a timestamp built from both prunes in neither
--   DuckDB nor reliably in Athena), then filter event_time exactly. For the last 3 hours:
--     WHERE dt >= CAST(current_timestamp - INTERVAL '3' HOUR AS date)
--       AND (dt > CAST(current_timestamp - INTERVAL '3' HOUR AS date)
--            OR hr >= hour(current_timestamp - INTERVAL '3' HOUR))
--       AND event_time >= current_timestamp - INTERVAL '3' HOUR
--   (v_grid_recent does this for the last hour.) dt and hr are part of the window's PARTITION BY (a grid
--   key lives in the hour of its event_time, so this does not change the grouping): predicates on them
--   are pushed below the window, down to the folders.
CREATE OR REPLACE VIEW v_grid_latest AS
SELECT
  event_id,
  event_time,
  record_type,
  market,
  interval_minutes,
  coalesce(version, 1) AS version,
  load_zone,
  settlement_point,
  settlement_point_type,
  lmp_usd_mwh,
  energy_usd_mwh,
  congestion_usd_mwh,
  loss_usd_mwh,
  load_mw,
  wind_mw,
  solar_mw,
  source,
  producer_id,
  produced_at,
  raw_rows,
  dt,
  hr
FROM (
  SELECT
    g.event_id,
    g.event_time,
    g.record_type,
    g.market,
    g.interval_minutes,
    g.version,
    g.load_zone,
    g.settlement_point,
    g.settlement_point_type,
    g.lmp_usd_mwh,
    g.energy_usd_mwh,
    g.congestion_usd_mwh,
    g.loss_usd_mwh,
    g.load_mw,
    g.wind_mw,
    g.solar_mw,
    g.source,
    g.producer_id,
    g.produced_at,
    CAST(g.dt AS date) AS dt,
    CAST(g.hr AS integer) AS hr,
    count(*) OVER (
      PARTITION BY g.dt, g.hr, g.record_type, g.market, coalesce(g.settlement_point, g.load_zone), g.interval_minutes, g.event_time
    ) AS raw_rows,
    row_number() OVER (
      PARTITION BY g.dt, g.hr, g.record_type, g.market, coalesce(g.settlement_point, g.load_zone), g.interval_minutes, g.event_time
      ORDER BY coalesce(g.version, 1) DESC, g.produced_at DESC, g.event_id DESC
    ) AS rank_in_key
  FROM raw_grid g
) versions
WHERE rank_in_key = 1
