export {
  type KinesisReadSettings,
  KinesisShardReader,
  type KinesisShardReaderOptions,
} from './KinesisShardReader.js';
export { KinesisSource, type KinesisSourceOptions } from './KinesisSource.js';
