-- transactions_checked: every version of every trade in the raw zone, deduplicated on event_id,
-- typed and checked (working table feeding curated_transactions and its quarantine). Dedup and
-- checks as in grid_checked.sql. Runs over the whole raw transactions history (mode "full" in
-- pipeline.json): a trade's versions can sit in different days, and trades are low-volume.
-- Among the passing rows of a trade_id, revision_rank 1 is its latest version (highest version, then
-- latest event_time, produced_at, ingest file, event_id) and version_count the number of distinct
-- versions; version_seen numbers the events of one (trade_id, version), the event-level key.
SELECT
  versioned.*,
  CASE WHEN dq_rule IS NULL THEN
    CAST(sum(CASE WHEN version_seen = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY dq_rule IS NULL, {{natural_key}}) AS BIGINT)
  END AS version_count
FROM (
SELECT
  checked.*,
  CASE WHEN dq_rule IS NULL THEN
    ROW_NUMBER() OVER (PARTITION BY dq_rule IS NULL, {{natural_key}} ORDER BY {{latest_first}})
  END AS revision_rank,
  ROW_NUMBER() OVER (PARTITION BY dq_rule IS NULL, {{natural_key}}, version ORDER BY {{latest_first}}) AS version_seen
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
    TRIM(trade_id) AS trade_id,
    CAST(version AS INT) AS version,
    UPPER(TRIM(status)) AS status,
    UPPER(TRIM(side)) AS side,
    TRIM(product) AS product,
    UPPER(TRIM(settlement_point)) AS settlement_point,
    CAST(delivery_start AS {{timestamp}}) AS delivery_start,
    CAST(delivery_end AS {{timestamp}}) AS delivery_end,
    CAST(quantity_mwh AS DOUBLE) AS quantity_mwh,
    CAST(price_usd_mwh AS DOUBLE) AS price_usd_mwh,
    TRIM(counterparty) AS counterparty,
    TRIM(book) AS book,
    TRIM(trader) AS trader,
    UPPER(TRIM(venue)) AS venue,
    CAST(is_block AS BOOLEAN) AS is_block,
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
        raw_transactions.*,
        regexp_extract(ingest_path, '[^/]+$', 0) AS ingest_file,
        regexp_extract(ingest_path, '/dt=([^/]+)/', 1) AS raw_dt,
        regexp_extract(ingest_path, '/hr=([^/]+)/', 1) AS raw_hr
      FROM raw_transactions
    ) located
  ) ranked
  WHERE ingest_rank = 1 OR event_id IS NULL
) typed
) checked
) versioned
