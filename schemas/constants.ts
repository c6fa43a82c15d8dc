/** The datasets gridstream streams, one Kinesis stream, Glue table and lake prefix each. */
export const DATASETS = ['grid', 'weather', 'transactions'] as const;

/**
 * Partition columns of every raw and curated table, derived in UTC from the partition time: `event_time`,
 * except weather forecasts, partitioned by `forecast_issued_at` (see `PARTITION_TIME_FIELDS`).
 * The local delivery, the Firehose dynamic-partitioning prefix and the Athena tables all use this layout:
 * `<zone>/<dataset>/dt=YYYY-MM-DD/hr=HH/`.
 */
export const PARTITION_KEYS = [
  {
    name: 'dt',
    hiveType: 'string',
    comment: 'partition time date, UTC, yyyy-MM-dd (event_time; weather forecasts: forecast_issued_at)',
  },
  {
    name: 'hr',
    hiveType: 'string',
    comment: 'partition time hour, UTC, two digits (event_time; weather forecasts: forecast_issued_at)',
  },
] as const;

/** Field every contract carries: a unique id stable across retries. */
export const EVENT_ID_FIELD = 'event_id';
/** Field every contract carries: the UTC event time the lake is partitioned by (weather forecasts: by issue time). */
export const EVENT_TIME_FIELD = 'event_time';
