import { open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURATION_TEST_DEFAULTS,
  type CurationSummary,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { gridEvent } from '../helpers/events.js';
import { makeLake, removeLake, writeRawEvents } from './rawLake.js';
import { readTable } from './tables.js';

const T = Date.UTC(2026, 10, 22, 12);

describe('bad raw input: quarantined or skipped by name, the rest curated', () => {
  let lake: string;
  let summary: CurationSummary;
  // One 5-minute interval each: distinct natural keys, each an interval start.
  const FIVE = 300_000;
  const good = [gridEvent({ event_time: T }), gridEvent({ event_time: T + FIVE })];
  const extra = gridEvent({ event_time: T + 2 * FIVE });
  const noWind = gridEvent({ event_time: T + 3 * FIVE, wind_mw: 5 });
  const noMarket = gridEvent({ event_time: T + 4 * FIVE });
  const file: Record<string, string | undefined> = {};

  beforeAll(async () => {
    lake = await makeLake();
    await writeRawEvents(lake, 'grid', good);
    await writeRawEvents(lake, 'grid', [extra], {
      extraColumns: { unexpected_column: "'surprise'", other: '42' },
    });
    await writeRawEvents(lake, 'grid', [noWind], { dropColumns: ['wind_mw'] });
    await writeRawEvents(lake, 'grid', [noMarket], { dropColumns: ['market'] });
    [file.retyped] = await writeRawEvents(lake, 'grid', [gridEvent({ event_time: T })], {
      retype: { interval_minutes: 'VARCHAR', event_time: 'VARCHAR' },
    });
    [file.garbage] = await writeRawEvents(lake, 'grid', [gridEvent({ event_time: T })]);
    await writeFile(file.garbage!, 'this is not a parquet file');
    [file.truncated] = await writeRawEvents(lake, 'grid', [gridEvent({ event_time: T })]);
    await truncate(file.truncated!, Math.floor((await stat(file.truncated!)).size / 2));
    [file.corruptPage] = await writeRawEvents(lake, 'grid', [gridEvent({ event_time: T })]);
    // Footer intact, first data page overwritten: only visible when the data is read.
    const fh = await open(file.corruptPage!, 'r+');
    await fh.write(Buffer.alloc(48, 0xff), 0, 48, 4);
    await fh.close();
    summary = await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
  });
  afterAll(() => removeLake(lake));

  it('curates the good rows of every readable file', async () => {
    const ids = (await readTable(lake, 'curated_grid')).map((r) => r.event_id);
    expect(ids.sort()).toEqual([...good, extra, noWind].map((e) => e.event_id).sort());
  });

  it('ignores unexpected columns', async () => {
    const [row] = await readTable(lake, 'curated_grid', `event_id = '${extra.event_id}'`);
    expect(Object.keys(row!)).not.toContain('unexpected_column');
    expect(row!.lmp_usd_mwh).toBe(extra.lmp_usd_mwh);
  });

  it('reads a missing optional column as NULL and quarantines rows missing a required one', async () => {
    const [row] = await readTable(lake, 'curated_grid', `event_id = '${noWind.event_id}'`);
    expect(row!.wind_mw).toBeNull();
    const [q] = await readTable(lake, 'curated_grid_quarantine', `event_id = '${noMarket.event_id}'`);
    expect(q).toMatchObject({ dq_rule: 'required_fields', market: null });
  });

  it.each([
    [
      'retyped',
      /column type mismatch: event_time is BYTE_ARRAY.*contract says timestamp; interval_minutes is BYTE_ARRAY/,
    ],
    ['garbage', /unreadable Parquet: .*magic bytes/i],
    ['truncated', /unreadable Parquet/],
    ['corruptPage', /unreadable Parquet data/],
  ])('skips the %s file with an error naming it', (kind, reason) => {
    const key = relative(lake, file[kind]!);
    const skipped = summary.skippedFiles.find((s) => s.file === key);
    expect(skipped, `${key} in ${JSON.stringify(summary.skippedFiles)}`).toBeDefined();
    expect(skipped!.reason).toMatch(reason);
    expect(summary.datasets.grid?.skippedFiles).toContainEqual(skipped);
  });

  it('leaves skipped files in place for a later run (nothing deleted)', async () => {
    expect((await readFile(file.garbage!, 'utf8')).startsWith('this is not')).toBe(true);
  });
});
