/**
 * The embedded emulator's bounded retention window (see {@link RecordWindow}).
 *
 * @module
 */

import { compareSequenceNumbers } from '../kinesis/compareSequenceNumbers.js';

/**
 * The retention window of the embedded emulator. Records a reader has read past are trimmed once older
 * than `maxAgeMs` or beyond `maxBytes`; records no reader has reached yet are kept until everything held
 * exceeds `maxUnreadBytes`, and only then trimmed, oldest first, like Kinesis retention.
 */
export interface RetentionWindow {
  /** Keep read records at most this long after their arrival, ms. */
  readonly maxAgeMs: number;
  /** Keep at most this many bytes of read records across all streams (approximate stored size). */
  readonly maxBytes: number;
  /**
   * Hard bound: trim even unread records, oldest first, while more than this many bytes are held.
   * @default 4 × maxBytes
   */
  readonly maxUnreadBytes?: number;
}

/**
 * The emulator's default window: read records for 10 minutes or 64 MiB, whichever is reached first;
 * unread ones up to 256 MiB in all. At `gridstream up`'s default rates (350 events/s, ~0.25 MB/s stored)
 * the 64 MiB fill in ~4–5 minutes, so memory stops growing within 10 minutes.
 */
export const EMULATOR_RETENTION_DEFAULTS: Required<RetentionWindow> = {
  maxAgeMs: 10 * 60_000,
  maxBytes: 64 * 1024 * 1024,
  maxUnreadBytes: 256 * 1024 * 1024,
};

/**
 * Read records younger than this are not trimmed by `maxBytes` (only by `maxUnreadBytes`): "read" is not
 * "durable". A delivery worker killed after reading a range and before checkpointing it replays that range
 * when it restarts; the range must still be there for a restart within this long.
 */
export const READ_REPLAY_GRACE_MS = 30_000;

/** How often the window is enforced, ms. */
const TRIM_EVERY_MS = 1_000;
/** A shard's records are accounted in buckets of this much arrival time... */
const BUCKET_MS = 1_000;
/** ...or this many bytes (at most 1/16 of the window's bytes), whichever comes first: the trim granularity. */
const BUCKET_BYTES = 1024 * 1024;
/** Keys deleted per store batch: memdown removes ~1 µs a key, so a chunk holds the event loop ~1 ms. */
const DELETE_CHUNK = 1_000;
/**
 * What the store holds for a record besides its payload and partition key: the key (stream prefix,
 * shard, 56-digit sequence number), the JSON punctuation, the arrival timestamp and the tree node.
 */
const RECORD_OVERHEAD_BYTES = 200;

/** One put as kinesalite writes it: key `<shardHex>/<sequenceNumber>`, value the record object. */
interface PutOp {
  readonly type: string;
  readonly key: string;
  readonly value?: {
    readonly Data?: string;
    readonly PartitionKey?: string;
    readonly ApproximateArrivalTimestamp?: number;
  };
}

/** The parts of a kinesalite stream store (a levelup sublevel) the window uses. */
export interface WindowedStreamDb {
  batch(ops: PutOp[], options: object, cb: (err?: Error | null) => void): void;
  put(key: string, value: PutOp['value'], cb: (err?: Error | null) => void): void;
}

/** Records of one shard that arrived within one bucket. */
interface Bucket {
  /** The store keys of its records, in write order. */
  readonly keys: string[];
  lastKey: string;
  bytes: number;
  count: number;
  readonly firstArrivalMs: number;
  lastArrivalMs: number;
}

/** The accounting of one shard: buckets oldest first (from `head`), and its newest record. */
interface ShardState {
  readonly prefix: string;
  readonly buckets: Bucket[];
  head: number;
  /** The highest key a GetRecords has read (records up to it were read by some reader). */
  readKey?: string;
  newestKey?: string;
  newestArrivalMs?: number;
}

interface StreamState {
  readonly db: WindowedStreamDb;
  readonly shards: Map<string, ShardState>;
}

/** The newest record of a shard, as the window saw it written. */
export interface NewestRecord {
  /** Its store key, `<shardHex>/<sequenceNumber>`. */
  readonly key: string;
  /** Its arrival time, ms since the epoch. */
  readonly arrivalMs: number;
}

/** What the window holds and has trimmed, for status lines and tests. */
export interface RecordWindowStats {
  /** Records held (written by this emulator and not trimmed). */
  readonly records: number;
  /** Approximate bytes held. */
  readonly bytes: number;
  /** Records trimmed so far. */
  readonly trimmedRecords: number;
  /** Of those, records no reader had reached (trimmed by `maxUnreadBytes`). */
  readonly trimmedUnreadRecords: number;
  /** Arrival time of the oldest record held, ms since the epoch; undefined when empty. */
  readonly oldestArrivalMs: number | undefined;
}

/**
 * Keeps kinesalite's in-memory store within a {@link RetentionWindow}.
 *
 * kinesalite stores every record in a memdown (levelup) sublevel per stream, keyed
 * `<shardHex>/<sequenceNumber>`, and only drops records older than the stream's retention (24 h) when a
 * GetRecords reads past them: at 350 events/s that is ~1.6 GB an hour. The window watches every put
 * (it wraps the stream store's `batch` and `put`; the accounting is updated once the write succeeded),
 * keeps per shard a queue of one-second buckets (keys, bytes, count, arrival times), and once a
 * second trims whole buckets, oldest first: read ones older than `maxAgeMs`, then, across all shards,
 * the oldest read ones until the total is within `maxBytes`, then any until within `maxUnreadBytes`. A bucket holds its records' keys, and a trim deletes them
 * with store batches of {@link DELETE_CHUNK} keys, one per event-loop turn, so serving goes on between
 * them. (levelup's `clear` of a key range deletes one key per turn of the event loop, two with its
 * iterator: under a steady write load it fell behind and the store grew past the window.)
 *
 * Readers: every GetRecords of the fast path reports how far it read a shard ({@link markRead}). Age and
 * `maxBytes` trim only records some reader has read past; records no reader has reached are kept until
 * everything held exceeds `maxUnreadBytes`, then trimmed oldest first like Kinesis retention: a reader
 * whose iterator points at a trimmed record gets the oldest record still held (the trim horizon) next,
 * and the delivery worker warns when a range it must replay is gone. With one consumer (`gridstream up`)
 * nothing unread is lost while it keeps within 256 MiB (default) of the tip; with several, the furthest
 * reader decides what counts as read; with none, memory stays within `maxUnreadBytes`.
 *
 * It also knows each shard's newest record, from which GetRecords computes MillisBehindLatest.
 */
export class RecordWindow {
  readonly #window: Required<RetentionWindow>;
  readonly #bucketBytes: number;
  readonly #streams = new Map<string, StreamState>();
  readonly #byDb = new WeakMap<object, StreamState>();
  readonly #patched = new WeakSet<object>();
  #bytes = 0;
  #records = 0;
  #trimmedRecords = 0;
  #trimmedUnreadRecords = 0;
  #timer: NodeJS.Timeout | undefined;
  #trimming: Promise<void> | undefined;

  /**
   * @param window - the retention window
   * @throws RangeError when a bound is not a positive number
   */
  public constructor(window: RetentionWindow = EMULATOR_RETENTION_DEFAULTS) {
    for (const [name, v] of Object.entries(window)) {
      if (v === undefined && name === 'maxUnreadBytes') continue;
      if (typeof v !== 'number' || !(v > 0)) {
        throw new RangeError(`retention window: ${name} must be a positive number, got ${String(v)}`);
      }
    }
    this.#window = {
      maxAgeMs: window.maxAgeMs,
      maxBytes: window.maxBytes,
      maxUnreadBytes: Math.max(window.maxUnreadBytes ?? 4 * window.maxBytes, window.maxBytes),
    };
    this.#bucketBytes = Math.min(BUCKET_BYTES, Math.max(1, Math.floor(window.maxBytes / 16)));
  }

  /** The window enforced. */
  public get window(): Required<RetentionWindow> {
    return this.#window;
  }

  /**
   * Watches a stream's store (idempotent). A different store under a known name (the stream was
   * deleted and created again) starts a fresh accounting.
   *
   * @param streamName - the stream
   * @param db - its store, as kinesalite's `getStreamDb` returns it
   */
  public attach(streamName: string, db: WindowedStreamDb): void {
    const known = this.#streams.get(streamName);
    if (known?.db === db) return;
    if (known) this.forget(streamName);
    const state: StreamState = { db, shards: new Map() };
    this.#streams.set(streamName, state);
    this.#byDb.set(db, state);
    if (this.#patched.has(db)) return;
    this.#patched.add(db);
    const batch = db.batch.bind(db);
    const put = db.put.bind(db);
    db.batch = (ops, options, cb) =>
      batch(ops, options, (err) => {
        if (!err) {
          for (const op of ops) if (op.type === 'put') this.#written(db, op.key, op.value);
        }
        cb(err);
      });
    db.put = (key, value, cb) =>
      put(key, value, (err) => {
        if (!err) this.#written(db, key, value);
        cb(err);
      });
  }

  /**
   * Drops a deleted stream's accounting.
   *
   * @param streamName - the stream
   */
  public forget(streamName: string): void {
    const s = this.#streams.get(streamName);
    if (!s) return;
    for (const shard of s.shards.values()) {
      for (let i = shard.head; i < shard.buckets.length; i++) {
        this.#bytes -= shard.buckets[i]!.bytes;
        this.#records -= shard.buckets[i]!.count;
      }
    }
    this.#streams.delete(streamName);
    this.#byDb.delete(s.db);
  }

  /**
   * The newest record written to a shard, if this window saw one.
   *
   * @param streamName - the stream
   * @param shardHex - the shard's key prefix (`shardIxToHex`)
   */
  public newest(streamName: string, shardHex: string): NewestRecord | undefined {
    const shard = this.#streams.get(streamName)?.shards.get(shardHex);
    if (shard?.newestKey === undefined) return undefined;
    return { key: shard.newestKey, arrivalMs: shard.newestArrivalMs! };
  }

  /**
   * Notes that a GetRecords read a shard up to `key`: records up to it may be trimmed by age and bytes.
   *
   * @param streamName - the stream
   * @param key - the store key of the last record the call read
   */
  public markRead(streamName: string, key: string): void {
    const shard = this.#streams.get(streamName)?.shards.get(key.slice(0, key.indexOf('/')));
    if (shard && (shard.readKey === undefined || compareSequenceNumbers(key, shard.readKey) > 0))
      shard.readKey = key;
  }

  /** What is held and was trimmed. */
  public stats(): RecordWindowStats {
    let oldest: number | undefined;
    for (const s of this.#streams.values()) {
      for (const shard of s.shards.values()) {
        const b = shard.buckets[shard.head];
        if (b && (oldest === undefined || b.firstArrivalMs < oldest)) oldest = b.firstArrivalMs;
      }
    }
    return {
      records: this.#records,
      bytes: this.#bytes,
      trimmedRecords: this.#trimmedRecords,
      trimmedUnreadRecords: this.#trimmedUnreadRecords,
      oldestArrivalMs: oldest,
    };
  }

  /** Whether the window is enforced (between {@link start} and {@link stop}). */
  public get started(): boolean {
    return this.#timer !== undefined;
  }

  /** Enforces the window once a second until {@link stop}. */
  public start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#trimming) {
        this.#trimming = this.trim()
          .catch((err: Error) => {
            // A store closed under a trim in progress: nothing left to trim.
            if (!/not open/i.test(String(err)))
              console.error(`emulator retention: trim failed: ${err.stack ?? err}`);
          })
          .finally(() => {
            this.#trimming = undefined;
          });
      }
    }, TRIM_EVERY_MS);
    this.#timer.unref();
  }

  /** Stops enforcing and waits for a trim in progress. */
  public async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#trimming;
  }

  /**
   * Trims what is outside the window now: read buckets older than `maxAgeMs`, then the oldest read
   * buckets past {@link READ_REPLAY_GRACE_MS} across all shards while more than `maxBytes` are held, then
   * the oldest of any while more than `maxUnreadBytes` are held.
   *
   * @param now - the current time, ms
   */
  public async trim(now: number = Date.now()): Promise<void> {
    const doomed = new Map<WindowedStreamDb, string[][]>();
    const isRead = (shard: ShardState, b: Bucket): boolean =>
      shard.readKey !== undefined && compareSequenceNumbers(b.lastKey, shard.readKey) <= 0;
    const drop = (db: WindowedStreamDb, shard: ShardState): void => {
      const b = shard.buckets[shard.head]!;
      if (!isRead(shard, b)) this.#trimmedUnreadRecords += b.count;
      shard.buckets[shard.head] = undefined as unknown as Bucket; // its keys are released once deleted
      shard.head += 1;
      this.#bytes -= b.bytes;
      this.#records -= b.count;
      this.#trimmedRecords += b.count;
      const lists = doomed.get(db) ?? [];
      lists.push(b.keys);
      doomed.set(db, lists);
      if (shard.head > 64 && shard.head * 2 > shard.buckets.length) {
        shard.buckets.splice(0, shard.head);
        shard.head = 0;
      }
    };
    const cutoff = now - this.#window.maxAgeMs;
    const graceCutoff = now - READ_REPLAY_GRACE_MS;
    for (const s of this.#streams.values()) {
      for (const shard of s.shards.values()) {
        for (;;) {
          const b = shard.buckets[shard.head];
          if (!b || b.lastArrivalMs >= cutoff || !isRead(shard, b)) break;
          drop(s.db, shard);
        }
      }
    }
    // Read records beyond maxBytes, then anything beyond maxUnreadBytes, oldest first across shards.
    for (const [limit, readOnly] of [
      [this.#window.maxBytes, true],
      [this.#window.maxUnreadBytes, false],
    ] as const) {
      while (this.#bytes > limit) {
        let oldest: { s: StreamState; shard: ShardState; at: number } | undefined;
        for (const s of this.#streams.values()) {
          for (const shard of s.shards.values()) {
            const b = shard.buckets[shard.head];
            if (!b || (readOnly && (!isRead(shard, b) || b.lastArrivalMs >= graceCutoff))) continue;
            if (oldest === undefined || b.firstArrivalMs < oldest.at)
              oldest = { s, shard, at: b.firstArrivalMs };
          }
        }
        if (!oldest) break;
        drop(oldest.s.db, oldest.shard);
      }
    }
    for (const [db, lists] of doomed) {
      // memdown applies a batch at once: chunks keep each turn of the event loop short.
      const keys = lists.flat();
      for (let i = 0; i < keys.length; i += DELETE_CHUNK) {
        const ops = keys.slice(i, i + DELETE_CHUNK).map((key) => ({ type: 'del', key }));
        await new Promise<void>((resolve, reject) =>
          db.batch(ops, {}, (err) => (err ? reject(err) : resolve())),
        );
      }
    }
  }

  /** Accounts one record the store has just written. */
  #written(db: WindowedStreamDb, key: string, value: PutOp['value']): void {
    const stream = this.#byDb.get(db);
    if (!stream) return; // a store forgotten (stream deleted) while a write was in flight
    const slash = key.indexOf('/');
    if (slash < 0) return;
    const prefix = key.slice(0, slash);
    let shard = stream.shards.get(prefix);
    if (!shard) {
      shard = { prefix, buckets: [], head: 0 };
      stream.shards.set(prefix, shard);
    }
    const arrival = value?.ApproximateArrivalTimestamp;
    const arrivalMs = typeof arrival === 'number' ? Math.round(arrival * 1000) : Date.now();
    const bytes =
      (value?.Data?.length ?? 0) + (value?.PartitionKey?.length ?? 0) + key.length + RECORD_OVERHEAD_BYTES;
    if (shard.newestKey === undefined || compareSequenceNumbers(key, shard.newestKey) > 0) {
      shard.newestKey = key;
      shard.newestArrivalMs = arrivalMs;
    }
    const last = shard.buckets.length > shard.head ? shard.buckets[shard.buckets.length - 1]! : undefined;
    if (
      last &&
      arrivalMs - last.firstArrivalMs < BUCKET_MS &&
      last.bytes < this.#bucketBytes &&
      compareSequenceNumbers(key, last.lastKey) > 0
    ) {
      last.keys.push(key);
      last.lastKey = key;
      last.bytes += bytes;
      last.count += 1;
      last.lastArrivalMs = Math.max(last.lastArrivalMs, arrivalMs);
    } else {
      shard.buckets.push({
        keys: [key],
        lastKey: key,
        bytes,
        count: 1,
        firstArrivalMs: arrivalMs,
        lastArrivalMs: arrivalMs,
      });
    }
    this.#bytes += bytes;
    this.#records += 1;
  }
}
