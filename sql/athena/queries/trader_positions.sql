-- Question:   What does each trader hold, per book and product, in the trades delivering now or in the
--             next 7 days: net and gross MWh, volume-weighted price and notional?
-- Source:     v_live_trades (curated: one row per trade_id at its latest version, cancelled trades
--             left out; quantities DECIMAL MWh, prices and notional DECIMAL to the cent).
-- Window:     trades whose delivery [delivery_start, delivery_end) overlaps [now, now + 7 days), both
--             returned: delivery_end > now and delivery_start < now + 7 days. Quantities are the
--             whole contracts' (a month strip counts in full), not prorated to the window.
-- Grain:      one row per (trader, book, product).
-- Invariants: |net_mwh| <= gross_mwh; notional_usd = sum of quantity * price, exact to the cent;
--             vwap_usd_mwh = notional / gross, between the lowest and highest price traded.
SELECT
  trader,
  book,
  product,
  count(*) AS live_trades,
  sum(signed_mwh) AS net_mwh,
  sum(quantity_mwh) AS gross_mwh,
  CAST(sum(notional_usd) / sum(quantity_mwh) AS decimal(12, 2)) AS vwap_usd_mwh,
  sum(notional_usd) AS notional_usd,
  min(delivery_start) AS first_delivery_start,
  max(delivery_end) AS last_delivery_end,
  current_timestamp AS window_start,
  current_timestamp + INTERVAL '7' DAY AS window_end
FROM v_live_trades
WHERE delivery_end > current_timestamp
  AND delivery_start < current_timestamp + INTERVAL '7' DAY
GROUP BY trader, book, product
ORDER BY trader, book, product
