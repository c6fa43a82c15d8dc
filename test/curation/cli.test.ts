import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSize } from '../../cli/commands/curate.js';
import { scheduleTasks } from '../../common/index.js';
import { lakeCurationTask } from '../../stream-processors/curation/index.js';
import type { CurationSummary } from '../../stream-processors/curation/types.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { gridEvent } from '../helpers/events.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';

describe('gridstream curate', () => {
  let lake: string;
  beforeAll(async () => {
    lake = await makeLake();
    await writeRawEvents(lake, 'grid', [gridEvent(), gridEvent({ lmp_usd_mwh: 9999 })]);
  });
  afterAll(() => removeLake(lake));

  it('curates and ends with a summary line of counts and rates', async () => {
    const r = await runCliInProcess(['curate', '--lake', lake, '--target-file-size', '1MiB']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('curated_grid: published version 1');
    expect(r.out).toMatch(/curated_grid +v1 +1 dt +1 rows/);
    expect(r.out).toMatch(
      /curated 2 raw rows into \d+ tables \(1 quarantined, 0 files skipped\) in [\d.]+ s, \d+ rows\/s\n$/,
    );
  });

  it('says so when nothing changed, and prints JSON on request', async () => {
    const r = await runCliInProcess(['curate', '--lake', lake, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ locked: false, tables: {} });
    expect((await runCliInProcess(['curate', '--lake', lake, '-q'])).out).toMatch(/^nothing to curate/);
  });

  it.each([
    [['--dataset', 'grid,power'], /--dataset must be one of grid, weather, transactions, got "power"/],
    [['--since', '22-11-2026'], /--since must be a date YYYY-MM-DD, got "22-11-2026"/],
    [['--since', '2026-11-01', '--full'], /either --since or --full/],
    [['--target-file-size', 'big'], /--target-file-size must be a size/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const r = await runCliInProcess(['curate', '--lake', lake, ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('parses sizes', () => {
    expect(parseSize('128MiB')).toBe(128 * 1024 * 1024);
    expect(parseSize('64MB')).toBe(64_000_000);
    expect(parseSize('1048576')).toBe(1_048_576);
  });
});

describe('lakeCurationTask on the one scheduler (as gridstream up runs it)', () => {
  it('runs on a timer, one run at a time, and stops cleanly', async () => {
    const lake = await makeLake();
    try {
      await writeRawEvents(lake, 'grid', [gridEvent()]);
      const summaries: CurationSummary[] = [];
      const errors: unknown[] = [];
      const schedule = scheduleTasks({
        tasks: [
          {
            ...lakeCurationTask({
              lake,
              intervalMs: 20,
              retentionMs: 0,
              onSummary: (s) => summaries.push(s),
            }),
            firstRunAfterMs: 0,
          },
        ],
        context: {},
        onRun: (s) => {
          if (s.error !== undefined) errors.push(s.error);
        },
      });
      await vi.waitFor(() => expect(summaries.length).toBeGreaterThanOrEqual(2), { timeout: 20_000 });
      // Another settlement point: its own natural key (a same-key event would fold into the first row).
      await writeRawEvents(lake, 'grid', [gridEvent({ event_id: 'late-one', settlement_point: 'HB_NORTH' })]);
      await vi.waitFor(() => expect(summaries.some((s) => s.tables.curated_grid?.rows === 2)).toBe(true), {
        timeout: 20_000,
      });
      await schedule.stop();
      expect(errors).toEqual([]);
      expect(summaries[0]!.tables.curated_grid?.rows).toBe(1);
      expect(summaries[1]!.tables).toEqual({});
    } finally {
      await removeLake(lake);
    }
  });
});
