-- gold_trading_positions_daily: per UTC delivery day (dt), book and product, the position of the live
-- (not cancelled) trades in curated_transactions.
-- Day split: a trade's quantity is spread evenly over its delivery window [delivery_start,
-- delivery_end) (flat MW), in whole kWh: day d gets round(q * (end of d in the window - start) / w)
-- - round(q * (start of d in the window - start) / w), so a trade's days add up to its quantity
-- exactly. Prices do not change across days. All arithmetic is on integers (kWh, cents, seconds), so
-- both engines give the same numbers.
--   net_mwh       bought minus sold MWh delivered that day        DECIMAL(18,3)
--   bought_mwh, sold_mwh, gross_mwh (= bought + sold)             DECIMAL(18,3)
--   vwap_usd_mwh  volume-weighted average price over both sides, notional / gross, to the cent
--                 (half away from zero)                           DECIMAL(12,2)
--   notional_usd  sum of day MWh x price over both sides, exact, rounded once to the cent
--                                                                 DECIMAL(18,2)
--   trade_count   trades delivering that day
WITH live AS (
  SELECT
    trade_id,
    book,
    product,
    side,
    CAST(quantity_mwh * 1000 AS BIGINT) AS qty_kwh,
    CAST(price_usd_mwh * 100 AS BIGINT) AS price_cents,
    {{epoch_s(delivery_start)}} AS start_s,
    {{epoch_s(delivery_end)}} AS end_s
  FROM curated_transactions
  WHERE NOT is_cancelled
),
spans AS (
  SELECT
    live.*,
    CAST(floor(start_s / 86400) AS BIGINT) AS first_day,
    CAST(floor((end_s - 1) / 86400) AS BIGINT) AS last_day
  FROM live
  WHERE end_s > start_s
),
days AS (
  SELECT spans.*, {{explode_range(first_day, last_day)}} AS day_index
  FROM spans
),
split AS (
  SELECT
    trade_id,
    book,
    product,
    side,
    price_cents,
    day_index,
    {{div_round(qty_kwh * (least(end_s, (day_index + 1) * 86400) - start_s), end_s - start_s)}}
      - {{div_round(qty_kwh * (greatest(start_s, day_index * 86400) - start_s), end_s - start_s)}} AS day_kwh
  FROM days
)
SELECT
  book,
  product,
  {{mwh(CAST(sum(CASE WHEN side = 'BUY' THEN day_kwh ELSE -day_kwh END) AS DECIMAL(20,0)) * 0.001)}} AS net_mwh,
  {{mwh(CAST(coalesce(sum(CASE WHEN side = 'BUY' THEN day_kwh END), 0) AS DECIMAL(20,0)) * 0.001)}} AS bought_mwh,
  {{mwh(CAST(coalesce(sum(CASE WHEN side = 'SELL' THEN day_kwh END), 0) AS DECIMAL(20,0)) * 0.001)}} AS sold_mwh,
  {{mwh(CAST(sum(day_kwh) AS DECIMAL(20,0)) * 0.001)}} AS gross_mwh,
  {{money(CAST({{div_round(sum(day_kwh * price_cents), NULLIF(sum(day_kwh), 0))}} AS DECIMAL(20,0)) * 0.01)}} AS vwap_usd_mwh,
  {{usd(CAST({{div_round(sum(day_kwh * price_cents), 1000)}} AS DECIMAL(20,0)) * 0.01)}} AS notional_usd,
  count(DISTINCT trade_id) AS trade_count,
  {{day_from_index(day_index)}} AS dt
FROM split
GROUP BY book, product, day_index
