export type {
  PartitionReader,
  PartitionReaderOptions,
  PositionRange,
  RecordSource,
  RecordSourceFactory,
  SourceBatch,
  SourceContext,
  SourceListing,
  SourcePartition,
  SourceRecord,
} from './types.js';
