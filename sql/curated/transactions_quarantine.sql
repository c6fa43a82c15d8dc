-- curated_transactions_quarantine: trade versions that failed a data-quality rule (see
-- grid_quarantine.sql). A trade whose latest version is quarantined keeps its latest valid version
-- in curated_transactions.
SELECT
  event_id,
  event_time,
  trade_id,
  version,
  status,
  side,
  product,
  settlement_point,
  delivery_start,
  delivery_end,
  quantity_mwh,
  price_usd_mwh,
  counterparty,
  book,
  trader,
  venue,
  is_block,
  source,
  producer_id,
  produced_at,
  dq_rule,
  dq_rules,
  dq_reason,
  ingest_file,
  raw_hr,
  raw_dt AS dt
FROM transactions_checked
WHERE dq_rule IS NOT NULL
