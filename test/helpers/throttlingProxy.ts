// A throttling proxy in front of the real emulator: Kinesis throttling, which the emulator produces only
// at real shard limits (EmbeddedKinesis enforceShardLimits), injected at a chosen share and counted, so a
// test can compare what a producer counted with what was done to it.
import { deaggregate, isAggregated } from '../../kinesis/kplAggregation.js';
import { mulberry32 } from '../../producers/sources/index.js';
import {
  type FaultProxy,
  type PutRecordsRequestEntry,
  startFaultProxy,
} from '../producers/kinesis/faultProxy.js';

/** Options of {@link startThrottlingProxy}. */
export interface ThrottlingProxyOptions {
  /**
   * Share (0-1) of PutRecords entries answered `ProvisionedThroughputExceededException` in an otherwise
   * real response (the other entries are written by the emulator; FailedRecordCount counts both kinds).
   * @default 0.2
   */
  readonly entryShare?: number;
  /**
   * Share (0-1) of PutRecords calls failed whole with HTTP 400 `ProvisionedThroughputExceededException`
   * (nothing of them is written), as AWS answers a stream over its limits.
   * @default 0
   */
  readonly callShare?: number;
  /** The first this many PutRecords calls fail whole (before any draw), whatever `callShare`. @default 0 */
  readonly firstCalls?: number;
  /** Seed of the draws: the same throttles on every run of the same calls. @default 1 */
  readonly seed?: number;
  /**
   * Stop injecting once this many entries were throttled (entries of whole-call throttles included).
   * @default Infinity
   */
  readonly maxThrottledEntries?: number;
}

/** What the proxy injected. */
export interface ThrottlingStats {
  /** PutRecords calls seen. */
  calls: number;
  /** PutRecords entries seen (Kinesis records; a KPL aggregate is one). */
  entries: number;
  /** Entries answered ProvisionedThroughputExceededException inside a 200 response. */
  throttledEntries: number;
  /** Calls failed whole with 400 ProvisionedThroughputExceededException. */
  throttledCalls: number;
  /** Entries in those calls. */
  throttledCallEntries: number;
  /**
   * User records in every throttled entry and call (an aggregate counts its user records), the unit a
   * KinesisSink counts `throttled` and `retried` in.
   */
  throttledUserRecords: number;
}

/** A running throttling proxy. */
export interface ThrottlingProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give a client. */
  readonly endpoint: string;
  readonly stats: ThrottlingStats;
  /** Stops injecting: every later call passes unchanged. */
  stopThrottling(): void;
  stop(): Promise<void>;
}

const THROTTLED = 'ProvisionedThroughputExceededException';

/** User records in a PutRecords entry: those of a KPL aggregate, else one. */
export function userRecordsIn(entry: PutRecordsRequestEntry): number {
  const data = Buffer.from(entry.Data, 'base64');
  return isAggregated(data) ? deaggregate(data, entry.PartitionKey).length : 1;
}

/**
 * Starts a proxy on 127.0.0.1 in front of `upstream` (the emulator's endpoint) that throttles a share of
 * PutRecords entries and/or calls; every other call passes unchanged.
 *
 * @param upstream - emulator endpoint
 * @param options - shares, seed, cap
 * @example
 * ```ts
 * const proxy = await startThrottlingProxy(kinesis.endpoint, { entryShare: 0.3 });
 * const client = createKinesisClient({ endpoint: proxy.endpoint });
 * // ... a sink through `client` ...
 * expect(totals.throttled).toBe(proxy.stats.throttledUserRecords);
 * ```
 */
export async function startThrottlingProxy(
  upstream: string,
  options: ThrottlingProxyOptions = {},
): Promise<ThrottlingProxy> {
  const entryShare = options.entryShare ?? 0.2;
  const callShare = options.callShare ?? 0;
  for (const [name, v] of [
    ['entryShare', entryShare],
    ['callShare', callShare],
  ] as const) {
    if (!(v >= 0 && v <= 1))
      throw new RangeError(`startThrottlingProxy: ${name} must be in [0, 1], got ${v}`);
  }
  const max = options.maxThrottledEntries ?? Number.POSITIVE_INFINITY;
  const random = mulberry32(options.seed ?? 1);
  const stats: ThrottlingStats = {
    calls: 0,
    entries: 0,
    throttledEntries: 0,
    throttledCallEntries: 0,
    throttledCalls: 0,
    throttledUserRecords: 0,
  };
  let throttling = true;
  const injected = (): number => stats.throttledEntries + stats.throttledCallEntries;
  const faults: FaultProxy = await startFaultProxy(upstream, (_call, n, records) => {
    stats.calls += 1;
    stats.entries += n;
    if (!throttling || injected() >= max) return { kind: 'pass' };
    const whole = stats.calls <= (options.firstCalls ?? 0) || (callShare > 0 && random() < callShare);
    if (whole && injected() + n <= max) {
      stats.throttledCalls += 1;
      stats.throttledCallEntries += n;
      for (const r of records) stats.throttledUserRecords += userRecordsIn(r);
      return { kind: 'throttle', message: 'Rate exceeded for stream (throttling proxy).' };
    }
    const codes = records.map((r) => {
      if (injected() >= max || !(random() < entryShare)) return undefined;
      stats.throttledEntries += 1;
      stats.throttledUserRecords += userRecordsIn(r);
      return THROTTLED;
    });
    return codes.every((c) => c === undefined)
      ? { kind: 'pass' }
      : { kind: 'failEntries', codeFor: (i) => codes[i] };
  });
  return {
    endpoint: faults.endpoint,
    stats,
    stopThrottling() {
      throttling = false;
    },
    stop: () => faults.stop(),
  };
}
