import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { leaseKey } from '../../datalake/objectNames.js';
import { isProcessAlive, type LakeStorage } from '../../datalake/storage/index.js';
import { LEASE_FORMAT_VERSION } from './constants.js';
import { LeaseLostError } from './errors.js';

/** Waits `ms`, or less when `signal` aborts (also when it already has); never rejects. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}
/** Who holds a lease: enough to tell whether it is still running and to name it to a person. */
export interface LeaseOwner {
  /** Host name of the holder. */
  readonly host: string;
  /** Process id of the holder on its host. */
  readonly pid: number;
  /** Random id of the holding worker (tells apart two workers in one process, or a reused pid). */
  readonly workerId: string;
}

/** The lease document, `_leases/<stream>.json`. */
export interface LeaseDocument {
  /** Layout version. */
  readonly version: number;
  /** Stream name. */
  readonly stream: string;
  /** Raised by one at every acquisition: checkpoints carry it, so a stale writer's late write is refused. */
  readonly epoch: number;
  /** The holder. */
  readonly owner: LeaseOwner;
  /** Time of the holder's last renewal, ISO 8601 (the holder's clock). */
  readonly heartbeatAt: string;
  /** `heartbeatAt` + `ttlMs`, ISO 8601 (the holder's clock). */
  readonly expiresAt: string;
  /** The holder's lease duration, ms. */
  readonly ttlMs: number;
  /** True once the holder stopped cleanly: anyone may take the lease at once. */
  readonly released: boolean;
}

/** Options of {@link StreamLease}. */
export interface StreamLeaseOptions {
  /** The lake holding the lease (and the stream's objects and checkpoints). */
  readonly storage: LakeStorage;
  /** Stream name. */
  readonly stream: string;
  /** Lease duration after each renewal, ms. */
  readonly ttlMs: number;
  /** Renewal interval, ms (at most a third of `ttlMs`). */
  readonly heartbeatMs: number;
  /** This worker. @default this host, this pid, a random id */
  readonly owner?: LeaseOwner;
  /** Lines for a person: waiting for a holder, taking over, losing the lease. */
  readonly onEvent?: (message: string) => void;
  /** The lease was lost while held (called once per loss, with the reason). */
  readonly onLost?: (error: LeaseLostError) => void;
}

/** Worker ids of the leases this process holds now: a lease naming this pid with another id is a leftover. */
const heldInThisProcess = new Set<string>();

/** Seconds, rounded up, for messages. */
function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/**
 * A stream's write lease in the lake: at most one worker at a time publishes a stream's objects and
 * checkpoints. The lease is one object, `_leases/<stream>.json`, changed only by compare-and-swap
 * ({@link LakeStorage.putIfVersion}: S3 `If-None-Match`/`If-Match`, an exclusive lock file on disk),
 * so of two workers racing for it exactly one wins.
 *
 * - **Acquire**: create it (absent), or replace it (epoch + 1) when it was released, when its holder
 *   is gone (same host, pid not running), or when it has not changed for a whole ttl as measured on this
 *   worker's own clock — no clock agreement between hosts is needed. Otherwise wait, saying who holds it.
 * - **Hold**: renew every `heartbeatMs` with `If-Match` on the last version written. The holder trusts
 *   its lease until the start of its last successful renewal + ttl − a third of the ttl: a taker waits
 *   a full ttl after it last saw the lease change, so the holder has stopped before anyone takes over.
 * - **Lose**: a renewal refused (someone took it), or no successful renewal within that validity.
 *   {@link assertValid} throws {@link LeaseLostError} from then on; the caller stops writing.
 * - **Release** on a clean stop: the document is marked released so the next worker starts at once.
 *
 * @example
 * ```ts
 * const lease = new StreamLease({ storage, stream: 'grid', ttlMs: 15_000, heartbeatMs: 3_000 });
 * await lease.acquire();
 * lease.assertValid(); // before every write
 * await lease.release();
 * ```
 */
export class StreamLease {
  readonly #o: StreamLeaseOptions;
  readonly #owner: LeaseOwner;
  readonly #key: string;
  readonly #marginMs: number;
  #version: string | undefined;
  #epoch = 0;
  #held = false;
  #validUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<boolean> | undefined;

  /** @param options - lake, stream, timing and callbacks */
  public constructor(options: StreamLeaseOptions) {
    this.#o = options;
    this.#owner = options.owner ?? {
      host: hostname(),
      pid: process.pid,
      workerId: randomBytes(6).toString('hex'),
    };
    this.#key = leaseKey(options.stream);
    this.#marginMs = Math.floor(options.ttlMs / 3);
  }

  /** Stream name. */
  public get stream(): string {
    return this.#o.stream;
  }

  /** This worker's identity in the lease document. */
  public get owner(): LeaseOwner {
    return this.#owner;
  }

  /** True while this worker holds the lease (and has not seen it lost). */
  public get held(): boolean {
    return this.#held;
  }

  /** The epoch of the current (or last) holding; 0 before the first. */
  public get epoch(): number {
    return this.#epoch;
  }

  #doc(epoch: number, at: number, released: boolean): Uint8Array {
    const doc: LeaseDocument = {
      version: LEASE_FORMAT_VERSION,
      stream: this.#o.stream,
      epoch,
      owner: this.#owner,
      heartbeatAt: new Date(at).toISOString(),
      expiresAt: new Date(released ? at : at + this.#o.ttlMs).toISOString(),
      ttlMs: this.#o.ttlMs,
      released,
    };
    return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /**
   * Why the holder in `doc` can be replaced now without waiting, or undefined when it may still be
   * writing. Liveness by pid is only known on the holder's own host.
   */
  #goneReason(doc: LeaseDocument): string | undefined {
    if (doc.released) return `pid ${doc.owner.pid} on host ${doc.owner.host} released it`;
    if (doc.owner.workerId === this.#owner.workerId) return 'this worker held it before';
    if (doc.owner.host !== this.#owner.host) return undefined;
    if (doc.owner.pid === process.pid) {
      return heldInThisProcess.has(doc.owner.workerId)
        ? undefined
        : `its holder had this process' pid ${doc.owner.pid} and is gone (a restart)`;
    }
    if (!isProcessAlive(doc.owner.pid))
      return `its holder, pid ${doc.owner.pid} on this host, is not running`;
    return undefined;
  }

  /**
   * Waits until this worker holds the lease, then keeps renewing it. Says who holds it while waiting.
   *
   * @param signal - gives up waiting when aborted
   * @returns true once held; false when aborted first
   * @throws StorageError when the lake keeps failing
   */
  public async acquire(signal?: AbortSignal): Promise<boolean> {
    const stream = this.#o.stream;
    let seenVersion: string | undefined;
    let seenAt = 0;
    let lastSaid = Number.NEGATIVE_INFINITY;
    let lastSaidHolder = '';
    const pollMs = Math.max(20, Math.min(1_000, this.#o.heartbeatMs));
    while (!signal?.aborted) {
      let current: Awaited<ReturnType<LakeStorage['getVersioned']>>;
      try {
        current = await this.#o.storage.getVersioned(this.#key);
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable) throw err;
        this.#o.onEvent?.(
          `reading the lease of stream ${stream} failed, retrying: ${(err as Error).message}`,
        );
        await pause(pollMs, signal);
        continue;
      }
      let doc: LeaseDocument | undefined;
      let takeover: string | undefined;
      if (current !== undefined) {
        try {
          doc = JSON.parse(Buffer.from(current.body).toString('utf8')) as LeaseDocument;
          if (typeof doc.epoch !== 'number' || typeof doc.owner?.pid !== 'number') doc = undefined;
        } catch {
          doc = undefined;
        }
        const now = performance.now();
        if (current.version !== seenVersion) {
          seenVersion = current.version;
          seenAt = now;
        }
        const ttl = doc?.ttlMs ?? this.#o.ttlMs;
        // Same host, same clock: the holder's own expiry is exact; elsewhere only durations are trusted.
        const sameHostLeft =
          doc !== undefined && doc.owner.host === this.#owner.host
            ? Date.parse(doc.expiresAt) - Date.now()
            : Number.POSITIVE_INFINITY;
        const left = Math.min(sameHostLeft, seenAt + ttl - now);
        takeover =
          doc === undefined
            ? left <= 0
              ? 'the lease document was unreadable and did not change for a whole ttl'
              : undefined
            : (this.#goneReason(doc) ??
              (left <= 0 ? `its holder's heartbeat stopped (no renewal for ${seconds(ttl)} s)` : undefined));
        if (takeover === undefined) {
          const holder =
            doc === undefined
              ? 'an unreadable lease document'
              : `pid ${doc.owner.pid} on host ${doc.owner.host} (worker ${doc.owner.workerId}, epoch ${doc.epoch})`;
          if (holder !== lastSaidHolder || now - lastSaid >= 5_000) {
            this.#o.onEvent?.(
              `waiting for the lease on stream ${stream} held by ${holder}, expires in ${seconds(left)} s ` +
                'unless renewed; this worker takes over when it lapses',
            );
            lastSaid = now;
            lastSaidHolder = holder;
          }
          await pause(Math.min(pollMs, Math.max(1, left)), signal);
          continue;
        }
      }
      const epoch = (doc?.epoch ?? 0) + 1;
      const start = performance.now();
      let version: string | undefined;
      try {
        version = await this.#o.storage.putIfVersion(
          this.#key,
          this.#doc(epoch, Date.now(), false),
          current?.version ?? null,
        );
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable) throw err;
        await pause(pollMs, signal);
        continue;
      }
      if (version === undefined) continue; // another worker changed it first: look again
      this.#version = version;
      this.#epoch = epoch;
      this.#validUntil = start + this.#o.ttlMs - this.#marginMs;
      this.#held = true;
      heldInThisProcess.add(this.#owner.workerId);
      if (doc !== undefined && !doc.released && takeover !== undefined) {
        this.#o.onEvent?.(`took over the lease on stream ${stream} (epoch ${epoch}): ${takeover}`);
      } else if (lastSaidHolder !== '') {
        this.#o.onEvent?.(`took the lease on stream ${stream} (epoch ${epoch}): its holder released it`);
      }
      this.#timer = setInterval(() => {
        this.renew().catch(() => undefined);
      }, this.#o.heartbeatMs);
      this.#timer.unref();
      return true;
    }
    return false;
  }

  /**
   * Renews the lease now (the heartbeat calls it). A refused renewal means another worker took the
   * lease: it is lost. A failed one is retried at the next heartbeat, until the validity runs out.
   *
   * @returns true while the lease is held
   */
  public renew(): Promise<boolean> {
    this.#renewing ??= this.#renewOnce().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renewOnce(): Promise<boolean> {
    if (!this.#held) return false;
    const start = performance.now();
    let version: string | undefined;
    try {
      version = await this.#o.storage.putIfVersion(
        this.#key,
        this.#doc(this.#epoch, Date.now(), false),
        this.#version ?? null,
      );
    } catch (err) {
      if (performance.now() > this.#validUntil) {
        this.#lose(`it could not be renewed before it lapsed: ${(err as Error).message}`, err);
        return false;
      }
      return this.#held;
    }
    if (!this.#held) return false;
    if (version === undefined) {
      const now = await this.#o.storage.getVersioned(this.#key).catch(() => undefined);
      let by = 'another worker';
      try {
        const d = now && (JSON.parse(Buffer.from(now.body).toString('utf8')) as LeaseDocument);
        if (d) by = `pid ${d.owner.pid} on host ${d.owner.host} (epoch ${d.epoch})`;
      } catch {
        // unreadable: keep the generic name
      }
      this.#lose(`${by} took it over`);
      return false;
    }
    this.#version = version;
    this.#validUntil = start + this.#o.ttlMs - this.#marginMs;
    return true;
  }

  /**
   * Raises the epoch of the held lease to at least `min` (a checkpoint in the lake already carries
   * `min - 1`, e.g. after `_leases/` was deleted), so this worker's checkpoints are not refused.
   *
   * @param min - the lowest acceptable epoch
   */
  public async raiseEpoch(min: number): Promise<void> {
    if (!this.#held || this.#epoch >= min) return;
    // Takes the renewal slot, so a heartbeat cannot put with the same expected version meanwhile (one of
    // the two would be refused and the lease taken for lost).
    while (this.#renewing) await this.#renewing.catch(() => undefined);
    const raising: Promise<boolean> = this.#raiseOnce(min)
      .then(() => this.#held)
      .finally(() => {
        if (this.#renewing === raising) this.#renewing = undefined;
      });
    this.#renewing = raising;
    await raising;
  }

  async #raiseOnce(min: number): Promise<void> {
    if (!this.#held || this.#epoch >= min) return;
    const start = performance.now();
    const version = await this.#o.storage.putIfVersion(
      this.#key,
      this.#doc(min, Date.now(), false),
      this.#version ?? null,
    );
    if (version === undefined) {
      this.#lose('another worker took it over');
      return;
    }
    this.#version = version;
    this.#epoch = min;
    this.#validUntil = start + this.#o.ttlMs - this.#marginMs;
  }

  #lose(reason: string, cause?: unknown, notify = true): void {
    if (!this.#held) return;
    this.#held = false;
    heldInThisProcess.delete(this.#owner.workerId);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#version = undefined;
    if (notify) this.#o.onLost?.(new LeaseLostError(this.#o.stream, this.#epoch, reason, cause));
  }

  /**
   * Throws unless this worker may write the stream now: the lease is held and its last renewal is
   * recent enough (with a margin of a third of the ttl) that no other worker can have taken it.
   *
   * @throws LeaseLostError naming the stream, the epoch and why
   */
  public assertValid(): void {
    if (this.#held && performance.now() > this.#validUntil) {
      this.#lose(
        `not renewed within ${seconds(this.#o.ttlMs - this.#marginMs)} s (the lake was too slow or this process was paused)`,
      );
    }
    if (!this.#held) throw new LeaseLostError(this.#o.stream, this.#epoch, 'this worker does not hold it');
  }

  /**
   * Stops holding without writing the document (the caller found out by other means that another
   * worker writes the stream, e.g. a checkpoint refused for its epoch).
   *
   * @param reason - why, for the {@link LeaseLostError} of later checks
   */
  public drop(reason: string): void {
    this.#lose(reason, undefined, false);
  }

  /** Gives the lease up (after the last write), so the next worker starts at once. Idempotent. */
  public async release(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#renewing?.catch(() => undefined);
    if (!this.#held) return;
    this.#held = false;
    heldInThisProcess.delete(this.#owner.workerId);
    await this.#o.storage
      .putIfVersion(this.#key, this.#doc(this.#epoch, Date.now(), true), this.#version ?? null)
      .catch(() => undefined);
  }
}
