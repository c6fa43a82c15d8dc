import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { METRIC_NAMES } from '../../common/metrics.js';

/**
 * Follows the EMF metrics file of `gridstream deliver --metrics-file` (one JSON object per line):
 * rows delivered and rejected per dataset (to know when delivery has drained what the workers sent)
 * and the consumer's iterator age.
 */
export class DeliveryMetricsTail {
  readonly #file: string;
  #offset = 0;
  #rest = '';
  /** Rows written to raw, per dataset. */
  readonly delivered = new Map<string, number>();
  /** Records written to the error output, per dataset. */
  readonly rejected = new Map<string, number>();
  /** Largest iterator age per dataset since the last {@link takeIteratorAges}. */
  #iteratorAge = new Map<string, number>();
  /** Largest iterator age per dataset over the run. */
  readonly maxIteratorAge = new Map<string, number>();

  /**
   * @param file - the metrics file
   */
  public constructor(file: string) {
    this.#file = file;
  }

  /** Reads the lines appended since the last call. */
  public read(): void {
    let fd: number;
    try {
      fd = openSync(this.#file, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.#offset) return;
      const buf = Buffer.alloc(size - this.#offset);
      readSync(fd, buf, 0, buf.length, this.#offset);
      this.#offset = size;
      const text = this.#rest + buf.toString('utf8');
      const lines = text.split('\n');
      this.#rest = lines.pop() ?? '';
      for (const line of lines) this.#line(line);
    } finally {
      closeSync(fd);
    }
  }

  #line(line: string): void {
    if (line.trim() === '') return;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const d = String(m.Dataset ?? '');
    const n = METRIC_NAMES.delivery;
    const add = (map: Map<string, number>, v: unknown): void => {
      map.set(d, (map.get(d) ?? 0) + Number(v ?? 0));
    };
    if (n.rowsDelivered in m) add(this.delivered, m[n.rowsDelivered]);
    if (n.recordsRejected in m) add(this.rejected, m[n.recordsRejected]);
    if (n.iteratorAge in m) {
      const v = Number(m[n.iteratorAge]);
      if (v > (this.#iteratorAge.get(d) ?? -1)) this.#iteratorAge.set(d, v);
      if (v > (this.maxIteratorAge.get(d) ?? -1)) this.maxIteratorAge.set(d, v);
    }
  }

  /** The largest iterator age per dataset since the previous call. */
  public takeIteratorAges(): Map<string, number> {
    const out = this.#iteratorAge;
    this.#iteratorAge = new Map();
    return out;
  }
}
