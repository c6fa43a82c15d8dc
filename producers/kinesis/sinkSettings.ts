import { KINESIS_LIMITS } from '../../kinesis/constants.js';
import { KPL_OVERHEAD_BYTES } from '../../kinesis/kplAggregation.js';
import type { Dataset } from '../../schemas/index.js';
import { SINK_DEFAULTS, type SinkDefaults } from './constants.js';
import { SinkConfigurationError } from './errors.js';
import type { KinesisSinkOptions } from './types.js';

function atLeast(option: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min) {
    throw new SinkConfigurationError(option, value, `a number >= ${min}`);
  }
  return value;
}

/**
 * A sink's tuning values: each option given, else its default from `options.defaults`, validated before
 * any network call.
 *
 * @param options - the sink's options
 * @returns every tuning value, resolved
 * @throws SinkConfigurationError naming the first option with a value the sink cannot work with
 */
export function resolveSinkSettings<D extends Dataset>(options: KinesisSinkOptions<D>): SinkDefaults {
  const d = options.defaults ?? SINK_DEFAULTS;
  const maxAggregatedBytes = atLeast(
    'maxAggregatedBytes',
    options.maxAggregatedBytes ?? d.maxAggregatedBytes,
    KPL_OVERHEAD_BYTES + 16,
  );
  // The aggregate's own partition key (up to 256 characters, 1 KiB in UTF-8) counts against 1 MiB too.
  const maxAggregate = KINESIS_LIMITS.maxRecordBytes - 4 * KINESIS_LIMITS.maxPartitionKeyLength;
  if (maxAggregatedBytes > maxAggregate) {
    throw new SinkConfigurationError(
      'maxAggregatedBytes',
      maxAggregatedBytes,
      `at most ${maxAggregate} (the Kinesis record limit less a partition key)`,
    );
  }
  return {
    aggregate: options.aggregate ?? d.aggregate,
    maxAggregatedBytes,
    lingerMs: atLeast('lingerMs', options.lingerMs ?? d.lingerMs, 0),
    recordTtlMs: atLeast('recordTtlMs', options.recordTtlMs ?? d.recordTtlMs),
    maxBufferedBytes: atLeast(
      'maxBufferedBytes',
      options.maxBufferedBytes ?? d.maxBufferedBytes,
      KINESIS_LIMITS.maxRecordBytes,
    ),
    maxBufferedRecords: atLeast('maxBufferedRecords', options.maxBufferedRecords ?? d.maxBufferedRecords),
    maxConcurrentPutRecords: atLeast(
      'maxConcurrentPutRecords',
      options.maxConcurrentPutRecords ?? d.maxConcurrentPutRecords,
    ),
    requestTimeoutMs: atLeast('requestTimeoutMs', options.requestTimeoutMs ?? d.requestTimeoutMs),
    closeDeadlineMs: d.closeDeadlineMs,
    metricsIntervalMs: options.metricsIntervalMs ?? d.metricsIntervalMs,
  };
}
