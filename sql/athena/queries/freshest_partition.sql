-- Question:   How fresh is each dataset in the raw zone: its newest partition, the newest production
--             time of its events, and how many seconds behind now that is?
-- Freshness:  measured from produced_at (when the producer made the event, which delivery lands in the
--             raw zone within seconds), never from event_time: a grid event's event_time is its
--             interval start (up to 15 minutes old when produced) and a weather forecast's is a valid
--             time hours ahead (it would count as fresher than now).
-- Window:     partitions of today and yesterday (UTC), and produced_at <= now: both sides bounded, so
--             a clock running ahead (simulated time) does not show a negative lag.
-- Grain:      one row per dataset (grid, transactions, weather), always three rows: a dataset with no
--             rows in the window has NULL times and rows_last_hour 0.
-- Invariants: lag_seconds >= 0; rows_last_hour counts raw rows (re-delivered copies included)
--             produced in [measured_at - 1 hour, measured_at]; measured_at is the query's now.
WITH raw AS (
  SELECT 'grid' AS dataset, dt, hr, produced_at
  FROM raw_grid
  WHERE CAST(dt AS date) >= current_date - INTERVAL '1' DAY AND CAST(dt AS date) <= current_date
  UNION ALL
  SELECT 'weather', dt, hr, produced_at
  FROM raw_weather
  WHERE CAST(dt AS date) >= current_date - INTERVAL '1' DAY AND CAST(dt AS date) <= current_date
  UNION ALL
  SELECT 'transactions', dt, hr, produced_at
  FROM raw_transactions
  WHERE CAST(dt AS date) >= current_date - INTERVAL '1' DAY AND CAST(dt AS date) <= current_date
),
fresh AS (
  SELECT
    dataset,
    max(CAST(CAST(dt AS date) AS varchar) || ' ' || lpad(CAST(CAST(hr AS integer) AS varchar), 2, '0')) AS freshest_partition,
    max(produced_at) AS last_produced_at,
    count(CASE WHEN produced_at >= current_timestamp - INTERVAL '1' HOUR THEN 1 END) AS rows_last_hour
  FROM raw
  WHERE produced_at <= current_timestamp
  GROUP BY dataset
),
datasets AS (
  SELECT 'grid' AS dataset
  UNION ALL
  SELECT 'transactions'
  UNION ALL
  SELECT 'weather'
)
SELECT
  d.dataset,
  f.freshest_partition,
  f.last_produced_at,
  date_diff('second', f.last_produced_at, current_timestamp) AS lag_seconds,
  coalesce(f.rows_last_hour, 0) AS rows_last_hour,
  current_timestamp AS measured_at
FROM datasets d
LEFT JOIN fresh f ON f.dataset = d.dataset
ORDER BY d.dataset
