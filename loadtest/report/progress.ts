import { formatNumber } from './svgChart.js';

/** One dataset's live measures, over the last interval. */
export interface DatasetProgress {
  /** The stage it is in (datasets may be in different stages). */
  readonly stage: string;
  /** Events per second the profile asks for now. */
  readonly askedRate: number;
  /** Events per second acknowledged over the last interval. */
  readonly achievedRate: number;
  /** PutRecords latency p99 over the last interval, ms. */
  readonly putP99Ms?: number;
  /** Freshness (intended → raw, or the latest stage measured) p99 over the last interval, ms. */
  readonly freshnessP99Ms?: number;
}

/** What the run knows now: the input of {@link formatProgress}. */
export interface ProgressSnapshot {
  /** Since the load started, ms. */
  readonly elapsedMs: number;
  /** The profile's length, ms (absent: open-ended, e.g. a search). */
  readonly durationMs?: number;
  readonly datasets: Readonly<Record<string, DatasetProgress>>;
  /** Events written off so far (expired, refused): reconciliation will find them lost. */
  readonly lost: number;
  /** Why the run is slower than asked, when it knows (`generator behind schedule: lag 2.4 s`). */
  readonly limit?: string;
}

/** `m:ss` or `h:mm:ss`. */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Milliseconds as `850 ms` or `4.2 s`. */
function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The status line of a run: elapsed time, stage, per dataset the rate asked/achieved, the worst
 * PutRecords p99 and freshness p99 over the datasets, and the events lost so far.
 *
 * @param s - the snapshot
 * @param width - cut the line to this many characters (a terminal's columns), with `…`
 * @example
 * ```ts
 * formatProgress({ elapsedMs: 42_000, durationMs: 60_000, lost: 0,
 *   datasets: { grid: { stage: 'ramp', askedRate: 1000, achievedRate: 990, putP99Ms: 23, freshnessP99Ms: 4200 } } });
 * // '0:42/1:00 ramp · grid 1000/990 ev/s · put p99 23 ms · fresh p99 4.2 s · lost 0'
 * ```
 */
export function formatProgress(s: ProgressSnapshot, width?: number): string {
  const entries = Object.entries(s.datasets);
  const stages = [...new Set(entries.map(([, d]) => d.stage))];
  const clock = `${formatClock(s.elapsedMs)}${s.durationMs === undefined ? '' : `/${formatClock(s.durationMs)}`}`;
  const rates = entries.map(
    ([name, d]) =>
      `${name}${stages.length > 1 ? ` (${d.stage})` : ''} ${formatNumber(d.askedRate)}/${formatNumber(d.achievedRate)} ev/s`,
  );
  const worst = (pick: (d: DatasetProgress) => number | undefined): number | undefined => {
    const values = entries.map(([, d]) => pick(d)).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const parts = [
    `${clock}${stages.length === 1 ? ` ${stages[0]}` : ''}`,
    ...rates,
    `put p99 ${formatMs(worst((d) => d.putP99Ms))}`,
    `fresh p99 ${formatMs(worst((d) => d.freshnessP99Ms))}`,
    `lost ${s.lost.toLocaleString('en-US')}`,
    ...(s.limit ? [s.limit] : []),
  ];
  const line = parts.join(' · ');
  if (width === undefined || line.length <= width) return line;
  return width <= 1 ? line.slice(0, Math.max(0, width)) : `${line.slice(0, width - 1)}…`;
}

/** The part of a stream the writer uses (process.stderr fits). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Options of a {@link ProgressWriter}. */
export interface ProgressWriterOptions {
  /** Where to write. @default process.stderr */
  readonly stream?: ProgressStream;
  /** Off a TTY, a plain line at most this often, ms. @default 10000 */
  readonly everyMs?: number;
  /** Clock, ms. @default Date.now */
  readonly now?: () => number;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * Writes progress: on a TTY one status line rewritten in place on every update; otherwise a plain line
 * per `everyMs` (the first update always), so logs and CI output stay readable.
 *
 * @example
 * ```ts
 * const progress = new ProgressWriter();
 * const timer = setInterval(() => progress.update(snapshot()), 1000);
 * // ...
 * progress.done();
 * ```
 */
export class ProgressWriter {
  readonly #stream: ProgressStream;
  readonly #everyMs: number;
  readonly #now: () => number;
  #lastPlain = Number.NEGATIVE_INFINITY;
  #status = '';

  /** @param options - see {@link ProgressWriterOptions} */
  public constructor(options: ProgressWriterOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#everyMs = options.everyMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Whether the status line is rewritten in place. */
  public get inPlace(): boolean {
    return this.#stream.isTTY === true;
  }

  /**
   * Shows a snapshot.
   *
   * @param snapshot - the run now
   */
  public update(snapshot: ProgressSnapshot): void {
    if (this.inPlace) {
      const columns = this.#stream.columns;
      this.#status = formatProgress(snapshot, columns === undefined ? undefined : Math.max(columns - 1, 1));
      this.#stream.write(`${CLEAR_LINE}${this.#status}`);
      return;
    }
    const t = this.#now();
    if (t - this.#lastPlain < this.#everyMs) return;
    this.#lastPlain = t;
    this.#stream.write(`${formatProgress(snapshot)}\n`);
  }

  /**
   * Prints a line of its own (an event of the run); on a TTY above the status line, which is redrawn.
   *
   * @param line - text without a newline
   */
  public log(line: string): void {
    if (this.inPlace && this.#status !== '') this.#stream.write(`${CLEAR_LINE}${line}\n${this.#status}`);
    else this.#stream.write(`${line}\n`);
  }

  /** Ends the status line (on a TTY the last status stays on screen). */
  public done(): void {
    if (this.inPlace && this.#status !== '') this.#stream.write('\n');
    this.#status = '';
  }
}
