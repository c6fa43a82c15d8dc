export { datasetStreams, EmbeddedKinesis, type EmbeddedKinesisOptions } from './EmbeddedKinesis.js';
export { createKinesaliteServer } from './emulatorGetRecords.js';
export { KINESIS_STATS_FORMAT, type KinesisStatsFile } from './kinesisStats.js';
export { type BackfillSource, backfillSource, lakeCoveredUntil, nextBatchAfter } from './lakeHistory.js';
export {
  EMULATOR_RETENTION_DEFAULTS,
  READ_REPLAY_GRACE_MS,
  RecordWindow,
  type RecordWindowStats,
  type RetentionWindow,
} from './RecordWindow.js';
export {
  compactionTask,
  curationTask,
  defaultScheduledTasks,
  runUp,
  UP_DEFAULT_BACKFILL_HOURS,
  UP_DEFAULT_COMPACT_EVERY_MS,
  UP_DEFAULT_COMPACT_GRACE_MS,
  UP_DEFAULT_CURATE_EVERY_MS,
  UP_DEFAULT_RATES,
  UP_DEFAULT_SHARDS,
  UP_DEFAULT_SPEED,
  type UpCompactionOptions,
  type UpOptions,
  type UpResult,
  type UpScheduledTask,
} from './runUp.js';
export { ShardWriteLimiter, type ShardWriteLimits, type ShardWriteStats } from './ShardWriteLimiter.js';
