/** Format of the file `gridstream kinesis --stats FILE` writes on stop. */
export const KINESIS_STATS_FORMAT = 'gridstream-kinesis-stats/1';

/** What `gridstream kinesis --stats FILE` writes on stop (the load-test harness reads it). */
export interface KinesisStatsFile {
  readonly format: typeof KINESIS_STATS_FORMAT;
  /** Records held when it stopped. */
  readonly held_records: number;
  /** Records trimmed by retention, read or not (unread ones trimmed are lost to a reader behind). */
  readonly trimmed_records: number;
  /** With --enforce-shard-limits: records throttled, in all and by `<stream>/<shardId>`; else null. */
  readonly throttled_records: number | null;
  readonly throttled_by_shard: Readonly<Record<string, number>> | null;
}
