/** The datasets gridstream streams, one Kinesis stream, Glue table and lake prefix each. */
export const DATASETS = ['grid', 'weather', 'transactions'] as const;

/**
 * Partition columns of every raw and curated table, derived from `event_time` in UTC.
 * The local delivery, the Firehose dynamic-partitioning prefix and the Athena tables all use this layout:
 * `<zone>/<dataset>/dt=YYYY-MM-DD/hr=HH/`.
 */
export const PARTITION_KEYS = [
  { name: 'dt', hiveType: 'string', comment: 'event_time date, UTC, yyyy-MM-dd' },
  { name: 'hr', hiveType: 'string', comment: 'event_time hour, UTC, two digits' },
] as const;

/** Field every contract carries: a unique id stable across retries. */
export const EVENT_ID_FIELD = 'event_id';
/** Field every contract carries: the UTC event time the lake is partitioned by. */
export const EVENT_TIME_FIELD = 'event_time';
