import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDbSession, openDuckDb } from '../../datalake/duckdb/openDuckDb.js';
import type { FreshnessSample } from '../worker/types.js';

/** Most samples waiting to be found; older ones are written out unresolved (memory stays bounded). */
const MAX_PENDING = 20_000;

/** A sample found in the lake: when its file became durable and when the probe query saw it. */
export interface ResolvedSample extends FreshnessSample {
  readonly raw_ms?: number;
  readonly queryable_ms?: number;
}

/**
 * The freshness probe: holds the sampled event ids the workers report (a few per second per dataset)
 * and, on each {@link poll}, looks for them in the raw files that appeared since the last poll with a
 * DuckDB query. Raw time is the file's modification time (delivery publishes a file with one rename);
 * queryable time is when the probe's query found it. Each resolved sample goes to samples.jsonl and to
 * the `onResolved` callback.
 */
export class FreshnessProbe {
  readonly #lake: string;
  readonly #samplesFile: string;
  readonly #onResolved: (s: ResolvedSample) => void;
  readonly #pending = new Map<string, FreshnessSample>();
  readonly #seenFiles = new Set<string>();
  /** Every raw file seen, with its modification time: a sample reported after its file was first seen is looked for again. */
  readonly #files: { readonly path: string; readonly mtimeMs: number }[] = [];
  #db: DuckDbSession | undefined;
  #polling: Promise<void> | undefined;

  /**
   * @param lake - the lake folder
   * @param samplesFile - samples.jsonl
   * @param onResolved - called with each sample found
   */
  public constructor(lake: string, samplesFile: string, onResolved: (s: ResolvedSample) => void) {
    this.#lake = lake;
    this.#samplesFile = samplesFile;
    this.#onResolved = onResolved;
  }

  /** Samples waiting. */
  public get pending(): number {
    return this.#pending.size;
  }

  /**
   * Adds samples to look for.
   *
   * @param samples - from the workers' snapshots
   */
  public add(samples: readonly FreshnessSample[]): void {
    for (const s of samples) this.#pending.set(s.event_id, s);
    while (this.#pending.size > MAX_PENDING) {
      const [id, oldest] = this.#pending.entries().next().value as [string, FreshnessSample];
      this.#pending.delete(id);
      this.#write(oldest);
    }
  }

  /** Looks in the new raw files once (a poll already running is awaited instead). */
  public poll(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #poll(): Promise<void> {
    this.#scanNewFiles();
    if (this.#pending.size === 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const p of this.#pending.values()) if (p.acked_ms < oldest) oldest = p.acked_ms;
    // A file holding a sample was written after the sample was acknowledged (less a clock margin).
    const files = this.#files.filter((f) => f.mtimeMs >= oldest - 1000).map((f) => f.path);
    if (files.length === 0) return;
    this.#db ??= await openDuckDb({ threads: 1, memoryLimit: '256MB' });
    const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
    const ids = [...this.#pending.keys()].map(quote).join(',');
    const rows = await this.#db.rows(
      `SELECT event_id, filename FROM read_parquet([${files.map(quote).join(',')}], filename = true, hive_partitioning = false) WHERE event_id IN (${ids})`,
    );
    const queryable = Date.now();
    for (const r of rows) {
      const id = String(r.event_id);
      const s = this.#pending.get(id);
      if (!s) continue;
      this.#pending.delete(id);
      let raw: number | undefined;
      try {
        raw = Math.round(statSync(String(r.filename)).mtimeMs);
      } catch {
        raw = undefined;
      }
      const resolved: ResolvedSample = {
        ...s,
        ...(raw === undefined ? {} : { raw_ms: raw }),
        queryable_ms: queryable,
      };
      this.#write(resolved);
      this.#onResolved(resolved);
    }
  }

  /** Adds the raw Parquet files not seen yet to the file list. */
  #scanNewFiles(): void {
    const walk = (dir: string): void => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith('.parquet') && !this.#seenFiles.has(path)) {
          this.#seenFiles.add(path);
          try {
            this.#files.push({ path, mtimeMs: statSync(path).mtimeMs });
          } catch {
            // Removed meanwhile (compaction): its rows are in the file that replaced it.
          }
        }
      }
    };
    walk(join(this.#lake, 'raw'));
  }

  #write(s: ResolvedSample): void {
    appendFileSync(this.#samplesFile, `${JSON.stringify(s)}\n`);
  }

  /** Writes the samples never found (without raw and queryable times) and closes DuckDB. */
  public async close(): Promise<void> {
    await this.#polling;
    for (const s of this.#pending.values()) this.#write(s);
    this.#pending.clear();
    this.#db?.close();
    this.#db = undefined;
  }
}
