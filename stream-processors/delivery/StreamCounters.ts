import { LatencyHistogram } from './LatencyHistogram.js';
import type { FreshnessSummary } from './types.js';

/** Running counters of one stream, updated by its shard consumers and read by `stats()`. */
export class StreamCounters {
  /** Kinesis records read. */
  public kinesisRecordsRead = 0;
  /** Rows durable. */
  public delivered = 0;
  /** Error records durable. */
  public rejected = 0;
  /** Parquet objects written. */
  public files = 0;
  /** Error objects written. */
  public errorFiles = 0;
  /** Parquet bytes written. */
  public parquetBytes = 0;
  /** `produced_at` → visible over every row delivered. */
  public readonly freshness = new LatencyHistogram();
  /** The same over the last flush. */
  public lastFlushFreshness: FreshnessSummary | undefined;
}
