-- Trades that are not cancelled (latest valid version of each), with the signed quantity
-- (BUY positive) and notional.
CREATE OR REPLACE VIEW v_live_trades AS
SELECT
  trade_id,
  version,
  status,
  trader,
  book,
  product,
  settlement_point,
  side,
  delivery_start,
  delivery_end,
  quantity_mwh,
  CASE WHEN side = 'BUY' THEN quantity_mwh ELSE -quantity_mwh END AS signed_mwh,
  price_usd_mwh,
  quantity_mwh * price_usd_mwh AS notional_usd,
  event_time AS last_changed_at
FROM curated_transactions
WHERE NOT is_cancelled
