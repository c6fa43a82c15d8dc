import { Logger } from '@aws-lambda-powertools/logger';
import { KinesisSink } from '../producers/kinesis/KinesisSink.js';
import { type ErcotQuery, ErcotSppPoller, type PollResult } from '../producers/sources/adapters/index.js';
import type { GridEvent } from '../schemas/index.js';
import { ENV } from './constants.js';
import {
  type ErcotCredentials,
  parseErcotCredentials,
  passwordGrantToken,
  type SecretReader,
  secretsManagerReader,
} from './ercotCredentials.js';
import { ConfigurationError } from './errors.js';
import { deliverPoll, type PollerSink, type PollerSummary, streamNameFor } from './pollerDelivery.js';
import type { ScheduledEvent } from './types.js';

/** Dependencies of {@link createErcotPollerHandler}. */
export interface ErcotPollerHandlerOptions {
  /** Stream the grid events go to. */
  readonly streamName: string;
  /** One poll of the real-time settlement point prices. */
  readonly poll: (query: ErcotQuery) => Promise<PollResult<GridEvent>>;
  /** A sink for one invocation (closed at its end). */
  readonly createSink: (streamName: string) => PollerSink;
  /** @default a Powertools logger for the `ercot-poller` service */
  readonly logger?: Logger;
}

/**
 * Creates the scheduled ERCOT poller: one poll of the real-time settlement point prices of today (US
 * Central) per invocation, written to the grid stream. Re-polling the same day is harmless: event ids are
 * derived from the interval and settlement point, and curation de-duplicates on them.
 *
 * @param options - stream, poll, sink factory, logger
 */
export function createErcotPollerHandler(
  options: ErcotPollerHandlerOptions,
): (event: ScheduledEvent) => Promise<PollerSummary> {
  const logger = options.logger ?? new Logger({ serviceName: 'ercot-poller' });
  return async (event) => {
    logger.info('poll started', { scheduledAt: event.time });
    const result = await options.poll({});
    return deliverPoll('grid', options.streamName, result, options.createSink(options.streamName), logger);
  };
}

/**
 * An ERCOT poller authenticated with the credentials in a secret.
 *
 * @param secretId - the secret's name or ARN
 * @param readSecret - how to read it
 */
export async function ercotPollerFromSecret(
  secretId: string | undefined,
  readSecret: SecretReader = secretsManagerReader(),
): Promise<ErcotSppPoller> {
  if (!secretId) throw new ConfigurationError(`${ENV.ercotSecretId} is not set`);
  const credentials: ErcotCredentials = parseErcotCredentials(await readSecret(secretId), secretId);
  let token = credentials.accessToken;
  return new ErcotSppPoller({
    subscriptionKey: credentials.subscriptionKey,
    accessToken: async () => {
      token ??= await passwordGrantToken(credentials);
      return token;
    },
  });
}

let cached: ((event: ScheduledEvent) => Promise<PollerSummary>) | undefined;

/** Lambda entry point: stream from `GRIDSTREAM_STREAMS`, credentials from the secret, real API and Kinesis. */
export async function handler(event: ScheduledEvent): Promise<PollerSummary> {
  if (!cached) {
    const poller = await ercotPollerFromSecret(process.env[ENV.ercotSecretId]);
    cached = createErcotPollerHandler({
      streamName: streamNameFor(process.env[ENV.streams], ENV.streams, 'grid'),
      poll: (query) => poller.poll(query),
      createSink: (streamName) =>
        new KinesisSink({ dataset: 'grid', streamName, rejectFile: null, metrics: 'emf' }),
    });
  }
  return cached(event);
}
