import { Logger } from '@aws-lambda-powertools/logger';
import { KinesisSink } from '../producers/kinesis/KinesisSink.js';
import { OpenMeteoPoller, type PollResult } from '../producers/sources/adapters/index.js';
import type { WeatherEvent } from '../schemas/index.js';
import { ENV } from './constants.js';
import { deliverPoll, type PollerSink, type PollerSummary, streamNameFor } from './pollerDelivery.js';
import type { ScheduledEvent } from './types.js';

/** Dependencies of {@link createOpenMeteoPollerHandler}. */
export interface OpenMeteoPollerHandlerOptions {
  /** Stream the weather events go to. */
  readonly streamName: string;
  /** One poll of Open-Meteo. */
  readonly poll: () => Promise<PollResult<WeatherEvent>>;
  /** A sink for one invocation (closed at its end). */
  readonly createSink: (streamName: string) => PollerSink;
  /** @default a Powertools logger for the `open-meteo-poller` service */
  readonly logger?: Logger;
}

/**
 * Creates the scheduled Open-Meteo poller: one poll (observations of the past day, forecasts of the next
 * days, for every Texas location) per invocation, written to the weather stream through the KPL-aggregating
 * Kinesis sink.
 *
 * @param options - stream, poll, sink factory, logger
 */
export function createOpenMeteoPollerHandler(
  options: OpenMeteoPollerHandlerOptions,
): (event: ScheduledEvent) => Promise<PollerSummary> {
  const logger = options.logger ?? new Logger({ serviceName: 'open-meteo-poller' });
  return async (event) => {
    logger.info('poll started', { scheduledAt: event.time });
    const result = await options.poll();
    return deliverPoll('weather', options.streamName, result, options.createSink(options.streamName), logger);
  };
}

let cached: ((event: ScheduledEvent) => Promise<PollerSummary>) | undefined;

/** Lambda entry point: the stream from `GRIDSTREAM_STREAMS`, the real Open-Meteo API and Kinesis. */
export function handler(event: ScheduledEvent): Promise<PollerSummary> {
  cached ??= createOpenMeteoPollerHandler({
    streamName: streamNameFor(process.env[ENV.streams], ENV.streams, 'weather'),
    poll: () => new OpenMeteoPoller().poll(),
    createSink: (streamName) =>
      new KinesisSink({ dataset: 'weather', streamName, rejectFile: null, metrics: 'emf' }),
  });
  return cached(event);
}
