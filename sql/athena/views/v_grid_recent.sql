-- v_grid_recent: v_grid_latest restricted to the partitions of the current and the previous UTC hour,
-- so "the last N minutes" (N <= 60) of the grid is one filter on event_time and reads two hourly
-- folders at most:
--   SELECT ... FROM v_grid_recent WHERE event_time >= current_timestamp - INTERVAL '15' MINUTE
-- Grain and columns: as v_grid_latest (one row per grid natural key, latest version).
CREATE OR REPLACE VIEW v_grid_recent AS
SELECT *
FROM v_grid_latest
WHERE dt >= CAST(current_timestamp - INTERVAL '1' HOUR AS date)
  AND (dt > CAST(current_timestamp - INTERVAL '1' HOUR AS date) OR hr >= hour(current_timestamp - INTERVAL '1' HOUR))
