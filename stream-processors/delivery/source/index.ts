export type {
  PartitionReader,
  PartitionReaderOptions,
  PositionRange,
  RecordSource,
  RecordSourceFactory,
  SharedPartitions,
  SourceBatch,
  SourceContext,
  SourceListing,
  SourcePartition,
  SourceRecord,
} from './types.js';
