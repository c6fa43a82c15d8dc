-- v_live_trades: the trades that are not cancelled, each at its latest version (curated_transactions
-- keeps one row per trade_id: the highest version wins), with the signed quantity (BUY positive) and
-- the notional exact to the cent: quantity as DECIMAL(18,3) MWh, price as DECIMAL(12,2) $/MWh,
-- notional = quantity * price as DECIMAL(24,2) $.
-- Grain: one row per trade_id. dt (DATE) is the UTC date of the latest version's event_time.
CREATE OR REPLACE VIEW v_live_trades AS
SELECT
  trade_id,
  version,
  version_count,
  status,
  trader,
  book,
  product,
  settlement_point,
  side,
  delivery_start,
  delivery_end,
  CAST(quantity_mwh AS decimal(18, 3)) AS quantity_mwh,
  CAST(CASE WHEN side = 'BUY' THEN quantity_mwh ELSE -quantity_mwh END AS decimal(18, 3)) AS signed_mwh,
  CAST(price_usd_mwh AS decimal(12, 2)) AS price_usd_mwh,
  CAST(CAST(quantity_mwh AS decimal(18, 3)) * CAST(price_usd_mwh AS decimal(12, 2)) AS decimal(24, 2)) AS notional_usd,
  event_time AS last_changed_at,
  CAST(dt AS date) AS dt
FROM curated_transactions
WHERE NOT is_cancelled
