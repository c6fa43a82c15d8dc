import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { ContractViolation } from '../../schemas/index.js';

/** Why a line is in the reject file. */
export const REJECT_KINDS = {
  /** Failed the contract or the size limit; never sent. */
  rejected: 'rejected',
  /** Accepted, but not acknowledged by Kinesis within the record TTL (or the close deadline). */
  expired: 'expired',
  /** Accepted, but Kinesis refused it for good (stream missing, access denied). */
  failed: 'failed',
} as const;

/** One of {@link REJECT_KINDS}. */
export type RejectKind = (typeof REJECT_KINDS)[keyof typeof REJECT_KINDS];

/**
 * Appends events that did not reach Kinesis to a JSON-lines file, one object per event:
 * `{"kind","dataset","event_id","reason","violations","event","at"}`. The file is created on the first
 * line, so a clean run leaves nothing behind. Several sinks may share one writer.
 *
 * @example
 * ```ts
 * const rejects = new RejectWriter('rejects.jsonl');
 * const sink = new KinesisSink({ dataset: 'grid', rejectWriter: rejects });
 * ```
 */
export class RejectWriter {
  /** File the lines go to. */
  public readonly path: string;
  #stream: WriteStream | undefined;
  #written = 0;

  /**
   * @param path - the JSON-lines file (appended to; parent folders are created)
   */
  public constructor(path: string) {
    this.path = path;
  }

  /** Lines written so far. */
  public get written(): number {
    return this.#written;
  }

  /**
   * Writes an event that was never sent.
   *
   * @param dataset - dataset
   * @param eventId - `event_id`, when the event had one
   * @param reason - why, naming the failing field path or the size
   * @param violations - contract violations (empty for other reasons)
   * @param event - the event as given
   */
  public writeRejected(
    dataset: string,
    eventId: string | undefined,
    reason: string,
    violations: readonly ContractViolation[],
    event: unknown,
  ): void {
    let eventJson: string;
    try {
      eventJson = JSON.stringify(event) ?? 'null';
    } catch (err) {
      // A value JSON cannot represent (BigInt, cycle) is still reported, by its description.
      eventJson = JSON.stringify(`unserializable: ${(err as Error).message}`);
    }
    this.#line(REJECT_KINDS.rejected, dataset, eventId, reason, violations, eventJson);
  }

  /**
   * Writes an accepted event that never got acknowledged.
   *
   * @param kind - `expired` or `failed`
   * @param dataset - dataset
   * @param eventId - `event_id`
   * @param reason - why (TTL, close deadline, the error name)
   * @param serialized - the event's JSON as it would have been sent
   */
  public writeUnsent(
    kind: Exclude<RejectKind, 'rejected'>,
    dataset: string,
    eventId: string,
    reason: string,
    serialized: string | Uint8Array,
  ): void {
    const json = typeof serialized === 'string' ? serialized : Buffer.from(serialized).toString('utf8');
    this.#line(kind, dataset, eventId, reason, [], json);
  }

  #line(
    kind: RejectKind,
    dataset: string,
    eventId: string | undefined,
    reason: string,
    violations: readonly ContractViolation[],
    eventJson: string,
  ): void {
    if (!this.#stream) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: 'a' });
    }
    const head = JSON.stringify({
      kind,
      dataset,
      event_id: eventId ?? null,
      reason,
      violations,
      at: new Date().toISOString(),
    });
    this.#stream.write(`${head.slice(0, -1)},"event":${eventJson}}\n`);
    this.#written += 1;
  }

  /** Flushes and closes the file (a later line reopens it in append mode). */
  public async close(): Promise<void> {
    const stream = this.#stream;
    if (!stream) return;
    this.#stream = undefined;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
}
