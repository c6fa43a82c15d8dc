import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_START_TIMEOUT_MS, sharedKafkaBroker } from '../helpers/kafka.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';
import { duckRows, rawParquet } from './support/lakeKit.js';

const BIN = join(REPO_ROOT, 'bin', 'gridstream.js');
const UP = [
  'up',
  '--transport',
  'kafka',
  '--duration',
  '4',
  '--curate-every',
  '0',
  '--compact-every',
  '0',
  '--buffer-interval',
  '1',
];

async function lakeCounts(lake: string): Promise<{ rows: number; unique: number }> {
  const [r] = await duckRows(
    `SELECT count(*)::INT AS rows, count(DISTINCT event_id)::INT AS "unique" FROM ${rawParquet(lake, 'grid')}`,
  );
  return r as { rows: number; unique: number };
}

let brokers: string;
// Also resolves the broker's jars on a fresh clone, before `up` needs them within a test's time.
beforeAll(async () => {
  brokers = await sharedKafkaBroker();
}, KAFKA_START_TIMEOUT_MS);

describe('gridstream up --transport kafka', () => {
  it('runs the pipeline on its own local broker: everything produced is delivered once', async () => {
    const lake = tempDir('up-kafka');
    const r = await run(process.execPath, [BIN, ...UP, '--lake', lake], {
      env: { ...process.env, KAFKA_BROKERS: '' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/local Apache Kafka 4\.\d+\.\d+ at 127\.0\.0\.1:\d+/);
    const m = /produced ([\d,]+) events, delivered ([\d,]+) in/.exec(r.stdout);
    expect(m?.[1]).toBe(m?.[2]);
    const grid = await lakeCounts(lake);
    expect(grid.rows).toBeGreaterThan(0);
    expect(grid.unique).toBe(grid.rows);
  });

  it('runs on an external cluster with --brokers', async () => {
    const lake = tempDir('up-kafka-ext');
    const r = await run(process.execPath, [BIN, ...UP, '--lake', lake, '--brokers', brokers]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Kafka at ${brokers}`);
    const m = /produced ([\d,]+) events, delivered ([\d,]+) in/.exec(r.stdout);
    expect(m?.[1]).toBe(m?.[2]);
  });
});
