-- Freshest raw partition (dt hr) and event per dataset, and how many seconds behind now it is.
-- Only the last two days of partitions are read (projection/folder pruning on dt).
SELECT
  'grid' AS dataset,
  max(CAST(dt AS varchar) || ' ' || lpad(CAST(hr AS varchar), 2, '0')) AS freshest_partition,
  max(event_time) AS freshest_event_time,
  date_diff('second', max(event_time), current_timestamp) AS lag_seconds
FROM raw_grid
WHERE CAST(dt AS varchar) >= date_format(current_timestamp - INTERVAL '2' DAY, '%Y-%m-%d')
UNION ALL
SELECT
  'weather',
  max(CAST(dt AS varchar) || ' ' || lpad(CAST(hr AS varchar), 2, '0')),
  max(event_time),
  date_diff('second', max(event_time), current_timestamp)
FROM raw_weather
WHERE CAST(dt AS varchar) >= date_format(current_timestamp - INTERVAL '2' DAY, '%Y-%m-%d')
UNION ALL
SELECT
  'transactions',
  max(CAST(dt AS varchar) || ' ' || lpad(CAST(hr AS varchar), 2, '0')),
  max(event_time),
  date_diff('second', max(event_time), current_timestamp)
FROM raw_transactions
WHERE CAST(dt AS varchar) >= date_format(current_timestamp - INTERVAL '2' DAY, '%Y-%m-%d')
ORDER BY dataset
