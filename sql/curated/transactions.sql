-- curated_transactions: one row per trade_id (events are keyed by trade_id + version): the trade's
-- latest valid version (highest version, then latest event_time, then latest ingest; pipeline.json
-- naturalKeys.transactions), with is_cancelled (status CANCEL: the cancellation is kept as the trade's
-- latest state and flagged, never dropped; positions exclude it) and version_count (distinct valid
-- versions seen). quantity_mwh is DECIMAL(18,3), price_usd_mwh DECIMAL(12,2) (whole kWh and cents,
-- checked). Partitioned by dt = the UTC date of the latest version's event_time, so an amendment
-- moves the trade to the amendment's day.
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
  {{mwh(quantity_mwh)}} AS quantity_mwh,
  {{money(price_usd_mwh)}} AS price_usd_mwh,
  counterparty,
  book,
  trader,
  venue,
  is_block,
  source,
  producer_id,
  produced_at,
  status = 'CANCEL' AS is_cancelled,
  version_count,
  {{day_of(event_time)}} AS dt
FROM transactions_checked
WHERE dq_rule IS NULL AND revision_rank = 1
