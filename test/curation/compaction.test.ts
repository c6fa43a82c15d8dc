import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompactionSummary,
  CURATION_TEST_DEFAULTS,
  CurationOptionError,
  compactionCandidates,
  compactRaw,
  lakeCompactionTask,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { gridEvent } from '../helpers/events.js';
import { makeLake, query, removeLake, writeRawEvents } from './rawLake.js';
import { buildScenario, DAY0 } from './scenario.js';
import { readTable, writeScenarioLake } from './tables.js';

const HOUR = 3_600_000;
const NOW = DAY0 + 3 * 24 * HOUR + 12 * HOUR; // 2026-11-24T12:00Z: with 48 h lateness, hours before 22T12 are closed

async function partitionFiles(lake: string, dataset: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const root = join(lake, 'raw', dataset);
  for (const dt of await readdir(root)) {
    for (const hr of await readdir(join(root, dt))) {
      out.set(
        `${dt}/${hr}`,
        (await readdir(join(root, dt, hr))).filter((f) => f.endsWith('.parquet')).sort(),
      );
    }
  }
  return out;
}

async function content(lake: string, dataset: string, dt: string, hr: string): Promise<string> {
  const glob = join(lake, 'raw', dataset, `dt=${dt}`, `hr=${hr}`, '*.parquet');
  const rows = await query(
    `SELECT * EXCLUDE (unexpected) FROM read_parquet('${glob}', union_by_name = true, hive_partitioning = false) ORDER BY ALL`,
  ).catch(() => query(`SELECT * FROM read_parquet('${glob}', hive_partitioning = false) ORDER BY ALL`));
  return JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

describe('raw compaction (DuckDB)', () => {
  let lake: string;
  let before: Map<string, string[]>;
  let summary: CompactionSummary;
  const contentBefore = new Map<string, string>();
  let curatedBefore: string;
  let candidatesBefore: string[];

  beforeAll(async () => {
    lake = await makeLake();
    await writeScenarioLake(lake, buildScenario(5));
    // A file that is not the contract's exact schema stays as it is.
    await writeRawEvents(lake, 'grid', [gridEvent({ event_time: DAY0 + 6 * HOUR })], {
      extraColumns: { unexpected: "'x'" },
    });
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS });
    curatedBefore = JSON.stringify(await readTable(lake, 'curated_grid'));
    before = await partitionFiles(lake, 'grid');
    for (const key of before.keys()) {
      const [dt, hr] = key.replace(/dt=|hr=/g, '').split('/');
      contentBefore.set(key, await content(lake, 'grid', dt!, hr!));
    }
    candidatesBefore = await compactionCandidates({ lake, latenessMs: 48 * HOUR, now: () => NOW });
    summary = await compactRaw({ lake, ...CURATION_TEST_DEFAULTS, latenessMs: 48 * HOUR, now: () => NOW });
  });
  afterAll(() => removeLake(lake));

  it('rewrites the closed partitions into fewer files, named by their sources', async () => {
    const after = await partitionFiles(lake, 'grid');
    expect(summary.partitions).toBeGreaterThan(0);
    expect(summary.filesAfter).toBeLessThan(summary.filesBefore);
    for (const [key, files] of after) {
      const closed = key < 'dt=2026-11-22/hr=12';
      if (closed) {
        expect(
          files.filter((f) => f.startsWith('0-compacted-')),
          key,
        ).toHaveLength(1);
        expect(files.length, key).toBeLessThan(before.get(key)!.length);
      } else {
        expect(files, key).toEqual(before.get(key));
      }
    }
  });

  it('keeps the content: same rows, columns and types in every partition', async () => {
    for (const key of before.keys()) {
      const [dt, hr] = key.replace(/dt=|hr=/g, '').split('/');
      expect(await content(lake, 'grid', dt!, hr!), key).toBe(contentBefore.get(key));
    }
    const [compacted] = (await partitionFiles(lake, 'weather')).get('dt=2026-11-21/hr=00')!;
    const schema = await query(
      `DESCRIBE SELECT * FROM read_parquet('${join(lake, 'raw/weather/dt=2026-11-21/hr=00', compacted!)}')`,
    );
    expect(schema.map((c) => `${c.column_name} ${c.column_type}`)).toContain(
      'event_time TIMESTAMP WITH TIME ZONE',
    );
    expect(summary.rows).toBeGreaterThan(0);
  });

  it('leaves files that are not exactly the contract schema alone', () => {
    expect(summary.skippedFiles.some((s) => s.file.startsWith('raw/grid/dt=2026-11-21/hr=06/'))).toBe(true);
  });

  it('is idempotent: a second compaction finds nothing to do', async () => {
    const again = await compactRaw({
      lake,
      ...CURATION_TEST_DEFAULTS,
      latenessMs: 48 * HOUR,
      now: () => NOW,
    });
    expect(again.partitions).toBe(0);
  });

  it('compactionCandidates: the closed partitions with new files, then only those compaction left as is', async () => {
    const at = { lake, latenessMs: 48 * HOUR, now: () => NOW };
    expect(candidatesBefore.length).toBeGreaterThanOrEqual(summary.partitions);
    // Nothing is closed a week earlier.
    expect(await compactionCandidates({ ...at, now: () => DAY0 - 7 * 24 * HOUR })).toEqual([]);
    // Left: the partition holding the file that is not of the contract's schema.
    const after = await compactionCandidates(at);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((sig) => sig.startsWith('raw/grid/dt=2026-11-21/hr=06:'))).toBe(true);
  });

  it('compactRaw and compactionCandidates reject the same bad selection options', async () => {
    for (const bad of [{ minFiles: 1 }, { latenessMs: -1 }]) {
      const a = await compactRaw({ lake, ...bad }).catch((e: unknown) => e);
      const b = await compactionCandidates({ lake, ...bad }).catch((e: unknown) => e);
      expect(a).toBeInstanceOf(CurationOptionError);
      expect((b as Error).message).toBe((a as Error).message);
    }
  });

  it('the task in process isolation starts no child for partitions a run left as is', async () => {
    const runs: CompactionSummary[] = [];
    const task = lakeCompactionTask({
      lake,
      everyMs: 1,
      graceMs: 48 * HOUR,
      now: () => NOW,
      isolation: 'process',
      onCompaction: (c) => runs.push(c),
    });
    const signal = new AbortController().signal;
    await task.run({ signal });
    expect(runs).toHaveLength(1); // a child looked at the partition left as is
    expect(await task.run({ signal })).toBe('nothing to compact');
    expect(runs).toHaveLength(1); // and no child started for it again
  });

  it('curation over the compacted files gives the same rows', async () => {
    await runCuration({ lake, ...CURATION_TEST_DEFAULTS, full: true });
    expect(JSON.stringify(await readTable(lake, 'curated_grid'))).toBe(curatedBefore);
  });
});
