-- Open positions per trader, book and product: live (not cancelled) trades whose delivery has not
-- ended, net MWh (BUY positive), volume-weighted price and notional.
SELECT
  trader,
  book,
  product,
  count(*) AS live_trades,
  round(sum(signed_mwh), 3) AS net_mwh,
  round(sum(quantity_mwh), 3) AS gross_mwh,
  round(sum(notional_usd) / sum(quantity_mwh), 4) AS vwap_usd_mwh,
  round(sum(notional_usd), 2) AS notional_usd,
  min(delivery_start) AS first_delivery_start,
  max(delivery_end) AS last_delivery_end
FROM v_live_trades
WHERE delivery_end > current_timestamp
GROUP BY trader, book, product
ORDER BY trader, book, product
