-- grid_checked: the raw grid rows of the run, deduplicated, typed and checked (a working table: it
-- feeds curated_grid and curated_grid_quarantine and is not published).
--
-- Input raw_grid: the contract columns as read from the raw Parquet files plus ingest_path, the path
-- or URI of the file each row came from (DuckDB `filename`, Spark `input_file_name()`).
-- Dedup: one row per event_id, the latest ingest wins (ingest_order): the greatest produced_at,
-- then the greatest file name (delivery names files by arrival time), then the row content, so the
-- choice is the same on both engines and on every run. Rows without an event_id are all kept (each
-- fails required_fields).
-- Types: contract types; enums and zone/point names trimmed and upper-cased; timestamps UTC.
-- dq_rule / dq_rules / dq_reason: first failed rule / all failed rules / the first one's reason
-- (sql/curated/quality_rules.json), NULL when the row passes.
-- Natural key (pipeline.json naturalKeys, rendered into {{natural_key}} and {{latest_first}}): among
-- the rows that pass, revision_rank 1 is the key's winner (highest version, then latest produced_at,
-- ingest file, event_id) and revision_count how many passing rows the key has; both NULL on failing
-- rows. A file written before grid contract v2 has no version column: its rows are version 1.
SELECT
  checked.*,
  CASE WHEN dq_rule IS NULL THEN
    ROW_NUMBER() OVER (PARTITION BY dq_rule IS NULL, {{natural_key}} ORDER BY {{latest_first}})
  END AS revision_rank,
  CASE WHEN dq_rule IS NULL THEN COUNT(*) OVER (PARTITION BY dq_rule IS NULL, {{natural_key}}) END AS revision_count
FROM (
SELECT
  typed.*,
  {{dq_rule}} AS dq_rule,
  {{dq_rules}} AS dq_rules,
  {{dq_reason}} AS dq_reason
FROM (
  SELECT
    event_id,
    CAST(event_time AS {{timestamp}}) AS event_time,
    UPPER(TRIM(record_type)) AS record_type,
    UPPER(TRIM(market)) AS market,
    CAST(interval_minutes AS INT) AS interval_minutes,
    CAST(coalesce(version, 1) AS INT) AS version,
    UPPER(TRIM(load_zone)) AS load_zone,
    UPPER(TRIM(settlement_point)) AS settlement_point,
    UPPER(TRIM(settlement_point_type)) AS settlement_point_type,
    CAST(lmp_usd_mwh AS DOUBLE) AS lmp_usd_mwh,
    CAST(energy_usd_mwh AS DOUBLE) AS energy_usd_mwh,
    CAST(congestion_usd_mwh AS DOUBLE) AS congestion_usd_mwh,
    CAST(loss_usd_mwh AS DOUBLE) AS loss_usd_mwh,
    CAST(load_mw AS DOUBLE) AS load_mw,
    CAST(wind_mw AS DOUBLE) AS wind_mw,
    CAST(solar_mw AS DOUBLE) AS solar_mw,
    CAST(gas_mw AS DOUBLE) AS gas_mw,
    CAST(coal_mw AS DOUBLE) AS coal_mw,
    CAST(nuclear_mw AS DOUBLE) AS nuclear_mw,
    CAST(hydro_mw AS DOUBLE) AS hydro_mw,
    CAST(storage_mw AS DOUBLE) AS storage_mw,
    CAST(other_mw AS DOUBLE) AS other_mw,
    source,
    producer_id,
    CAST(produced_at AS {{timestamp}}) AS produced_at,
    ingest_file,
    raw_dt,
    raw_hr
  FROM (
    SELECT
      located.*,
      ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY {{ingest_order}}) AS ingest_rank
    FROM (
      SELECT
        raw_grid.*,
        regexp_extract(ingest_path, '[^/]+$', 0) AS ingest_file,
        regexp_extract(ingest_path, '/dt=([^/]+)/', 1) AS raw_dt,
        regexp_extract(ingest_path, '/hr=([^/]+)/', 1) AS raw_hr
      FROM raw_grid
    ) located
  ) ranked
  WHERE ingest_rank = 1 OR event_id IS NULL
) typed
) checked
