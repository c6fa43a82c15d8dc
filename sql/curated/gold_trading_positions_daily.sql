-- gold_trading_positions_daily: per UTC delivery day (dt), book and product, the position of the live
-- (not cancelled) trades in curated_transactions.
-- Day split: a trade's quantity is spread evenly over its delivery window [delivery_start,
-- delivery_end) (flat MW); each UTC day it overlaps gets quantity * overlap / window length. Prices do
-- not change across days.
--   net_mwh       bought minus sold MWh delivered that day
--   bought_mwh, sold_mwh, gross_mwh (= bought + sold)
--   vwap_usd_mwh  volume-weighted average price over both sides: notional_usd / gross_mwh
--   notional_usd  sum of day MWh * price over both sides
--   trade_count   trades delivering that day
WITH live AS (
  SELECT
    trade_id,
    book,
    product,
    side,
    quantity_mwh,
    price_usd_mwh,
    {{epoch_ms(delivery_start)}} AS start_ms,
    {{epoch_ms(delivery_end)}} AS end_ms
  FROM curated_transactions
  WHERE NOT is_cancelled
),
spans AS (
  SELECT
    live.*,
    CAST(floor(start_ms / 86400000) AS BIGINT) AS first_day,
    CAST(floor((end_ms - 1) / 86400000) AS BIGINT) AS last_day
  FROM live
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
    price_usd_mwh,
    day_index,
    quantity_mwh
      * (least(end_ms, (day_index + 1) * 86400000) - greatest(start_ms, day_index * 86400000))
      / (end_ms - start_ms) AS day_mwh
  FROM days
)
SELECT
  book,
  product,
  {{exact_sum(CASE WHEN side = 'BUY' THEN day_mwh ELSE -day_mwh END)}} AS net_mwh,
  coalesce({{exact_sum(CASE WHEN side = 'BUY' THEN day_mwh END)}}, CAST(0 AS DOUBLE)) AS bought_mwh,
  coalesce({{exact_sum(CASE WHEN side = 'SELL' THEN day_mwh END)}}, CAST(0 AS DOUBLE)) AS sold_mwh,
  {{exact_sum(day_mwh)}} AS gross_mwh,
  {{exact_sum_wide(day_mwh * price_usd_mwh)}} / {{exact_sum(day_mwh)}} AS vwap_usd_mwh,
  {{exact_sum_wide(day_mwh * price_usd_mwh)}} AS notional_usd,
  count(DISTINCT trade_id) AS trade_count,
  {{day_from_index(day_index)}} AS dt
FROM split
GROUP BY book, product, day_index
