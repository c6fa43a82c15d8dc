import type { Logger } from '@aws-lambda-powertools/logger';
import type { SinkCounters } from '../producers/kinesis/types.js';
import type { PollResult } from '../producers/sources/adapters/index.js';
import type { Dataset } from '../schemas/index.js';
import { ConfigurationError, StreamProcessorError } from './errors.js';
import { parseSourceDatasets } from './sourceDatasets.js';

/** The part of `KinesisSink` a poller Lambda uses (a real sink in AWS and in the tests). */
export interface PollerSink {
  put(event: unknown): Promise<{ readonly accepted: boolean }>;
  close(options?: { deadlineMs?: number }): Promise<Readonly<SinkCounters>>;
}

/** What one scheduled poll did; the handler's return value and its log line. */
export interface PollerSummary {
  readonly dataset: Dataset;
  readonly streamName: string;
  /** Pages (or location batches) fetched upstream. */
  readonly pages: number;
  /** Valid events the adapter returned. */
  readonly events: number;
  /** Upstream records the adapter could not convert. */
  readonly upstreamRejected: number;
  /** Events the sink refused (contract, size). */
  readonly sinkRejected: number;
  /** Events acknowledged by Kinesis. */
  readonly sent: number;
  /** Events not acknowledged in time or refused by Kinesis for good. */
  readonly undelivered: number;
}

/** Some events of a poll did not reach Kinesis; the scheduled invocation fails so EventBridge retries it. */
export class PollerDeliveryError extends StreamProcessorError {
  public readonly summary: PollerSummary;
  public constructor(summary: PollerSummary) {
    super(
      `${summary.undelivered} of ${summary.events} ${summary.dataset} events were not delivered to ${summary.streamName}; the poll is retried (events keep their event_id, curation de-duplicates)`,
      { retriable: true },
    );
    this.name = 'PollerDeliveryError';
    this.summary = summary;
  }
}

/** How long the sink may take to deliver what is buffered at the end of an invocation. */
export const POLLER_CLOSE_DEADLINE_MS = 30_000;
const MAX_LOGGED_REJECTS = 20;

/**
 * The stream a poller writes to: the entry of `GRIDSTREAM_STREAMS` (name → dataset) for its dataset.
 *
 * @param raw - the variable's value
 * @param variable - its name
 * @param dataset - the poller's dataset
 * @throws ConfigurationError when the map has no stream for the dataset
 */
export function streamNameFor(raw: string | undefined, variable: string, dataset: Dataset): string {
  const entry = Object.entries(parseSourceDatasets(raw, variable)).find(([, d]) => d === dataset);
  if (!entry)
    throw new ConfigurationError(`${variable} has no stream for dataset ${dataset}: ${JSON.stringify(raw)}`);
  return entry[0];
}

/**
 * Puts the events of one poll into a sink and closes it, logging what the adapter rejected.
 *
 * @param dataset - dataset of the events
 * @param streamName - target stream (for the summary)
 * @param result - the poll
 * @param sink - where the events go
 * @param logger - structured logger
 * @throws PollerDeliveryError when some events were not delivered
 */
export async function deliverPoll(
  dataset: Dataset,
  streamName: string,
  result: PollResult<unknown>,
  sink: PollerSink,
  logger: Logger,
): Promise<PollerSummary> {
  for (const r of result.rejected.slice(0, MAX_LOGGED_REJECTS)) {
    logger.warn('upstream record rejected', {
      dataset,
      url: r.url,
      page: r.page,
      index: r.index,
      reason: r.reason,
    });
  }
  let counters: Readonly<SinkCounters>;
  try {
    for (const event of result.events) await sink.put(event);
  } finally {
    counters = await sink.close({ deadlineMs: POLLER_CLOSE_DEADLINE_MS });
  }
  const summary: PollerSummary = {
    dataset,
    streamName,
    pages: result.pages,
    events: result.events.length,
    upstreamRejected: result.rejected.length,
    sinkRejected: counters.rejected,
    sent: counters.sent,
    undelivered: counters.expired + counters.failed,
  };
  logger.info('poll delivered', { ...summary });
  if (summary.undelivered > 0) throw new PollerDeliveryError(summary);
  return summary;
}
