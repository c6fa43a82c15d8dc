import { DATASETS, isDataset } from '../../schemas/index.js';
import { DeliveryConfigurationError } from './errors.js';
import type { StreamBinding } from './types.js';

/**
 * Parses a `--streams` value: comma-separated datasets, each optionally `dataset=streamName` when the
 * Kinesis stream has another name (e.g. `grid=grid-dev,weather`).
 *
 * @param value - the option value
 * @throws DeliveryConfigurationError naming an unknown dataset
 * @example
 * ```ts
 * parseStreams('grid,weather=wx-dev'); // [{ dataset: 'grid' }, { dataset: 'weather', streamName: 'wx-dev' }]
 * ```
 */
export function parseStreams(value: string): StreamBinding[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new DeliveryConfigurationError('--streams names no stream');
  return items.map((item) => {
    const [dataset, streamName] = item.split('=', 2).map((s) => s.trim()) as [string, string | undefined];
    if (!isDataset(dataset)) {
      throw new DeliveryConfigurationError(
        `unknown dataset ${JSON.stringify(dataset)} in --streams; expected ${DATASETS.join(', ')} (optionally dataset=streamName)`,
      );
    }
    return streamName ? { dataset, streamName } : { dataset };
  });
}
