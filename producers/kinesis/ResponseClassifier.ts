import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { RetriesExhaustedError } from '../../common/retry/index.js';
import { classifyCallError } from '../../kinesis/classifyCallError.js';
import { THROTTLING_ERROR_NAMES, TRANSIENT_ERROR_NAMES } from '../../kinesis/constants.js';
import type { KinesisCallError } from '../../kinesis/errors.js';
import type { SinkEntry } from './types.js';

/** Per-entry `ErrorCode` the sink gives an entry Kinesis' answer left out (retried like a 5xx). */
export const MISSING_RESULT_ENTRY = 'MissingResultEntry';

/** What became of the entries of one PutRecords call, in the order they were sent. */
export interface EntriesVerdict {
  /** Stored by Kinesis. */
  readonly acknowledged: SinkEntry[];
  /** Failed with a code a later attempt may not see (throttling, internal failure, missing answer). */
  readonly retry: SinkEntry[];
  /** The throttled ones among {@link retry} (the sink slows down for them). */
  readonly throttled: SinkEntry[];
  /** Refused for good, with the reason written to the reject file. */
  readonly refused: { readonly entry: SinkEntry; readonly reason: string }[];
  /** The first entry's error code, when any entry failed (the sink's `lastError`). */
  readonly firstErrorCode: string | undefined;
  /** An acknowledged entry landed on another shard than the shard map predicted: the stream was resharded. */
  readonly resharded: boolean;
}

/** How a batch the sink stopped retrying is accounted for. */
export interface GiveUpVerdict {
  /** `expired` when time ran out (TTL or close deadline); `failed` when Kinesis refused for good. */
  readonly kind: 'expired' | 'failed';
  /** Why, as written to the reject file. */
  readonly reason: string;
}

/** Error code sets a {@link ResponseClassifier} decides on. */
export interface ResponseCodes {
  /** Codes that mean "too fast for the stream". @default THROTTLING_ERROR_NAMES */
  readonly throttling: ReadonlySet<string>;
  /** Codes a later attempt may not see (throttling included). @default TRANSIENT_ERROR_NAMES */
  readonly transient: ReadonlySet<string>;
}

/**
 * Decides, from Kinesis' answers, what happens to each PutRecords entry, as the KPL's retrier does:
 * acknowledged, retried (throttled or transient, only the failed entries), refused for good, or expired
 * once its deadline passed; and whether a whole failed call is retriable or throttled. It decides on
 * error codes and names, never on message text, and holds no state: time comes in as `now`.
 *
 * @example
 * ```ts
 * const classifier = new ResponseClassifier({ recordTtlMs: 300_000 });
 * const { live, expired } = classifier.splitExpired(entries, Date.now());
 * const verdict = classifier.classifyEntries(live, (await client.send(put)).Records ?? []);
 * ```
 */
export class ResponseClassifier {
  /** Why an entry whose deadline passed is expired (the reject file's reason). */
  public readonly expiredReason: string;
  readonly #throttling: ReadonlySet<string>;
  readonly #transient: ReadonlySet<string>;

  /**
   * @param options - the record TTL (for the expiry reason) and the error code sets
   */
  public constructor(options: { readonly recordTtlMs: number; readonly codes?: ResponseCodes }) {
    this.expiredReason = `record TTL of ${options.recordTtlMs} ms passed before Kinesis acknowledged it`;
    this.#throttling = options.codes?.throttling ?? THROTTLING_ERROR_NAMES;
    this.#transient = options.codes?.transient ?? TRANSIENT_ERROR_NAMES;
  }

  /**
   * Separates entries whose deadline passed from those still alive.
   *
   * @param entries - entries about to be (re)sent
   * @param now - the current time, epoch ms
   * @returns both, in order (`live` is `entries` itself when nothing expired)
   */
  public splitExpired(
    entries: SinkEntry[],
    now: number,
  ): { readonly live: SinkEntry[]; readonly expired: SinkEntry[] } {
    // The common case (nothing expired) allocates no new array.
    if (entries.every((e) => e.deadline > now)) return { live: entries, expired: [] };
    return {
      live: entries.filter((e) => e.deadline > now),
      expired: entries.filter((e) => e.deadline <= now),
    };
  }

  /**
   * Classifies each entry of a PutRecords call from its result entry (same index): no `ErrorCode` is
   * acknowledged; a throttling or transient code, or a missing result entry, is retried; any other code
   * is refused for good.
   *
   * @param sent - the entries, in the order sent
   * @param results - the call's `Records`
   */
  public classifyEntries(
    sent: readonly SinkEntry[],
    results: readonly PutRecordsResultEntry[],
  ): EntriesVerdict {
    const acknowledged: SinkEntry[] = [];
    const retry: SinkEntry[] = [];
    const throttled: SinkEntry[] = [];
    const refused: { entry: SinkEntry; reason: string }[] = [];
    let firstErrorCode: string | undefined;
    let resharded = false;
    for (let i = 0; i < sent.length; i++) {
      const entry = sent[i]!;
      const r = results[i];
      const code = r === undefined ? MISSING_RESULT_ENTRY : r.ErrorCode;
      if (!code) {
        acknowledged.push(entry);
        const shardId = r?.ShardId;
        if (entry.predictedShard !== undefined && shardId !== undefined && shardId !== entry.predictedShard) {
          resharded = true;
        }
        continue;
      }
      firstErrorCode ??= code;
      if (this.#throttling.has(code)) throttled.push(entry);
      if (this.#transient.has(code) || code === MISSING_RESULT_ENTRY) retry.push(entry);
      else refused.push({ entry, reason: `Kinesis refused the record: ${code} ${r?.ErrorMessage ?? ''}` });
    }
    return { acknowledged, retry, throttled, refused, firstErrorCode, resharded };
  }

  /**
   * Classifies what a whole PutRecords call threw (SDK exception, socket error, timeout) by its name or
   * code: `retriable` and `throttled` say what the sink does next.
   *
   * @param error - the thrown value
   */
  public classifyCall(error: unknown): KinesisCallError {
    return classifyCallError('PutRecords', error);
  }

  /**
   * How to account for entries the retrier gave up on: expired when the retries ran out of time or the
   * close deadline aborted them, failed when the error was not retriable (the sink then stops).
   *
   * @param error - what the retrier threw
   * @param aborted - whether the sink's close deadline passed
   */
  public classifyGiveUp(error: unknown, aborted: boolean): GiveUpVerdict {
    if (aborted) return { kind: 'expired', reason: 'close deadline passed before Kinesis acknowledged it' };
    if (error instanceof RetriesExhaustedError) {
      const cause = (error as Error & { cause?: Error }).cause;
      return {
        kind: 'expired',
        reason: `not acknowledged after ${error.attempts} attempts (${cause?.name ?? 'error'})`,
      };
    }
    return { kind: 'failed', reason: (error as Error).message };
  }
}
