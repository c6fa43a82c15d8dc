import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUp, type UpScheduledTask } from '../../local/index.js';
import { tempDir } from '../helpers/tempDir.js';
import { duckRows, rawParquet } from './support/lakeKit.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('up');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridstream up', () => {
  it('produces, delivers every produced event to the lake, runs scheduled tasks, and reports status', async () => {
    // Prepare
    const lake = join(dir, 'lake');
    const seen: number[] = [];
    const curation: UpScheduledTask = {
      name: 'curation (test)',
      everyMs: 200,
      async run({ lake: storage }) {
        const files = (await storage.list('raw/')).length;
        seen.push(files);
        return `${files} raw files`;
      },
    };
    let status = '';
    // Act
    const result = await runUp({
      lake,
      durationMs: 2_000,
      rates: { grid: 150, weather: 20, transactions: 60 },
      bufferIntervalMs: 300,
      seed: 5,
      scheduledTasks: [curation],
      out: { write: (t: string) => (status += t), isTTY: false },
    });
    const counts = await Promise.all(
      (['grid', 'weather', 'transactions'] as const).map(async (d) => {
        const [r] = await duckRows(`select count(distinct event_id) as n from ${rawParquet(lake, d)}`);
        return Number(r!.n);
      }),
    );
    // Assess
    expect(result.drained).toBe(true);
    expect(result.produced.grid).toBeGreaterThan(0);
    expect(counts).toEqual([result.produced.grid, result.produced.weather, result.produced.transactions]);
    expect(result.delivery.totals.rejected).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)).toBe(result.delivery.totals.files);
    expect(status).toMatch(/dataset +produced +delivered +rejected +files +iterator age +freshness/);
    expect(status).toMatch(/curation \(test\): \d+ raw files/);
  });
});
