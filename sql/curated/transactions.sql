-- curated_transactions: the current state of every trade: its latest valid version (highest version,
-- then latest event_time, then latest ingest), with is_cancelled (status CANCEL: the trade is kept and
-- flagged, never dropped) and version_count (valid versions seen). Partitioned by dt = the UTC date
-- of the latest version's event_time, so an amendment moves the trade to the amendment's day.
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
  status = 'CANCEL' AS is_cancelled,
  version_count,
  {{day_of(event_time)}} AS dt
FROM (
  SELECT
    valid.*,
    ROW_NUMBER() OVER (
      PARTITION BY trade_id
      ORDER BY version DESC, event_time DESC, produced_at DESC, ingest_file DESC, event_id DESC
    ) AS version_rank,
    COUNT(*) OVER (PARTITION BY trade_id) AS version_count
  FROM transactions_checked valid
  WHERE dq_rule IS NULL
) versions
WHERE version_rank = 1
