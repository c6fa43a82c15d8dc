// `target: kafka` end to end: the CLI (dist/) starts `gridstream kafka` (an embedded broker),
// `gridstream deliver --source kafka` and a load worker sending through KafkaSink; the same small scenario
// (same seed, same --started-at) through the embedded Kinesis pipeline must land identical rows.
// Loads are tiny (2 shared cores); nothing is timed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../datalake/duckdb/openDuckDb.js';
import { openLakeConnection } from '../../datalake/query/lakeViews.js';
import type { RunSummary } from '../../loadtest/report/types.js';
import { loadScenario } from '../../loadtest/scenario/loadScenario.js';
import { DATASETS } from '../../schemas/index.js';
import { KAFKA_START_TIMEOUT_MS, sharedKafkaBroker } from '../helpers/kafka.js';
import { REPO_ROOT } from '../helpers/repoRoot.js';
import { run } from '../helpers/run.js';
import { tempDir } from '../helpers/tempDir.js';

const CLI = join(REPO_ROOT, 'bin', 'gridstream.js');
const SHIPPED = join(REPO_ROOT, 'loadtest', 'scenarios', 'parity-kafka.yaml');
/** Columns a producer stamps with its wall clock: the only ones two runs of the same events differ in. */
const WALL_CLOCK_COLUMNS = ['produced_at'];

function loadtest(args: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof run> {
  return run(process.execPath, [CLI, 'loadtest', ...args], env ? { env } : {});
}

/** A 2-second grid scenario with the given target, written to DIR/scenario.yaml. */
function tinyScenario(dir: string, target: string): string {
  const file = join(dir, 'scenario.yaml');
  writeFileSync(
    file,
    `target: ${target}\ndatasets:\n  grid:\n    profile: [{ kind: constant, rate: 10, duration: 2s }]\n`,
  );
  return file;
}

/** Writes the raw and curated rows of a run's lake (wall-clock columns left out) to Parquet files. */
async function exportLake(runDir: string, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  const { instance, connection, views } = await openLakeConnection(join(runDir, 'lake'));
  try {
    for (const v of views.filter((x) => /^(raw|curated)_/.test(x.name))) {
      await connection.run(
        `COPY (SELECT * EXCLUDE (${WALL_CLOCK_COLUMNS.join(', ')}) FROM ${v.name}) TO '${join(into, `${v.name}.parquet`)}' (FORMAT parquet)`,
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// The first broker of a fresh clone resolves its jars with Maven first (about a minute).
beforeAll(async () => {
  await sharedKafkaBroker();
}, KAFKA_START_TIMEOUT_MS);

describe('loadtest target kafka', () => {
  it('reads target kafka: brokers and partitions only there, brokers as host:port', () => {
    const dir = tempDir('lt-kafka-scenario');
    const write = (name: string, target: string) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        `target: ${target}\ndatasets:\n  grid:\n    profile: [{ kind: constant, rate: 1, duration: 1s }]\n`,
      );
      return file;
    };
    expect(loadScenario(write('a', '{ kind: kafka }')).target).toMatchObject({ kind: 'kafka' });
    expect(
      loadScenario(write('b', '{ kind: kafka, brokers: "127.0.0.1:9092, 127.0.0.2:9093", partitions: 3 }'))
        .target,
    ).toMatchObject({ brokers: ['127.0.0.1:9092', '127.0.0.2:9093'], partitions: 3 });
    expect(() => loadScenario(write('c', '{ kind: embedded, brokers: "127.0.0.1:9092" }'))).toThrow(
      /only a kafka target takes brokers/,
    );
    expect(() => loadScenario(write('d', '{ kind: kafka, brokers: "no-port" }'))).toThrow(/brokers/);
    // Authentication by name only (secrets come from the environment), for an external cluster.
    expect(
      loadScenario(write('e', '{ kind: kafka, brokers: "127.0.0.1:9096", tls: true, sasl: scram-sha-512 }'))
        .target,
    ).toMatchObject({ tls: true, sasl: 'scram-sha-512' });
    expect(() => loadScenario(write('f', '{ kind: kafka, sasl: aws-msk-iam }'))).toThrow(
      /target\.sasl.*is for an external cluster \(target\.brokers\)/,
    );
    expect(() => loadScenario(write('g', '{ kind: embedded, tls: true }'))).toThrow(
      /only a kafka target takes tls/,
    );
    expect(() => loadScenario(write('h', '{ kind: kafka, brokers: "127.0.0.1:9096", sasl: plain }'))).toThrow(
      /target\.sasl.*plain/,
    );
  });

  it('SCRAM without its credentials in the environment: refused before any load, saying which variables', async () => {
    const dir = tempDir('lt-kafka-scram-env');
    const file = tinyScenario(dir, '{ kind: kafka, brokers: "127.0.0.1:9", sasl: scram-sha-512 }');
    const env = { ...process.env };
    delete env.KAFKA_SASL_USERNAME;
    delete env.KAFKA_SASL_PASSWORD;
    const r = await loadtest(['run', file, '--out', join(dir, 'run')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /target unreachable: Kafka at 127\.0\.0\.1:9: SASL scram-sha-512 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD in the environment; no load was sent/,
    );
    // The run's files name the mechanism, never a secret.
    expect(JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8')).target).toMatchObject({
      sasl: 'scram-sha-512',
    });
  });

  it('refuses unreachable brokers before any load, naming them', async () => {
    const dir = tempDir('lt-kafka-unreach');
    const file = tinyScenario(dir, '{ kind: kafka, brokers: "127.0.0.1:9" }');
    const out = join(dir, 'run');
    const r = await loadtest(['run', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/target unreachable: Kafka at 127\.0\.0\.1:9: .*no load was sent/);
    expect(readdirSync(join(out, 'workers'))).toEqual([]);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });

  it('parity: the same events through Kafka and through the embedded Kinesis land identical rows', async () => {
    // Prepare: the shipped scenario as is (kafka) and with target embedded, under the same file name.
    const dir = tempDir('lt-kafka-parity');
    const shipped = readFileSync(SHIPPED, 'utf8');
    const asEmbedded = shipped.replace(/kind: kafka\n\s+partitions: 2/, 'kind: embedded\n  shards: 2');
    expect(asEmbedded).not.toBe(shipped);
    const files: Record<string, string> = {};
    for (const [target, text] of [
      ['kafka', shipped],
      ['embedded', asEmbedded],
    ] as const) {
      mkdirSync(join(dir, target));
      files[target] = join(dir, target, 'parity-kafka.yaml');
      writeFileSync(files[target], text);
    }
    const startedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    // Act
    const summaries: Record<string, RunSummary> = {};
    for (const target of ['kafka', 'embedded']) {
      const out = join(dir, `run-${target}`);
      const r = await loadtest(['run', files[target]!, '--out', out, '--started-at', startedAt]);
      expect(r.code, `${target}\n${r.stdout}\n${r.stderr}`).toBe(0);
      summaries[target] = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
      await exportLake(out, join(dir, `rows-${target}`));
    }
    // Assess: both exact, the same counts, and the same rows (raw and curated) both ways.
    for (const s of Object.values(summaries)) {
      expect(s.reconciliation.lost).toBe(0);
      expect(s.reconciliation.duplicated_raw).toBe(0);
      expect(s.reconciliation.duplicated_curated).toBe(0);
      expect(s.reconciliation.found_raw).toBe(s.reconciliation.sent);
    }
    expect(summaries.kafka!.reconciliation.sent).toBe(summaries.embedded!.reconciliation.sent);
    const run = JSON.parse(readFileSync(join(dir, 'run-kafka', 'run.json'), 'utf8'));
    expect(run.target).toMatchObject({ kind: 'kafka', lake: 'lake' });
    expect(existsSync(join(dir, 'run-kafka', 'logs', 'kafka.log'))).toBe(true);
    const db = await openDuckDb({ threads: 1 });
    try {
      for (const layer of ['raw', 'curated'])
        for (const d of DATASETS) {
          const [k, e] = ['kafka', 'embedded'].map(
            (t) => `read_parquet('${join(dir, `rows-${t}`, `${layer}_${d}.parquet`)}')`,
          );
          const [counts] = await db.rows(
            `SELECT (SELECT count(*) FROM ${k}) AS kafka, (SELECT count(*) FROM ${e}) AS embedded,
                    (SELECT count(DISTINCT event_id) FROM ${k}) AS ids,
                    (SELECT count(*) FROM (SELECT * FROM ${k} EXCEPT ALL SELECT * FROM ${e})) AS only_kafka,
                    (SELECT count(*) FROM (SELECT * FROM ${e} EXCEPT ALL SELECT * FROM ${k})) AS only_embedded`,
          );
          const label = `${layer}.${d}`;
          expect(Number(counts!.kafka), label).toBeGreaterThan(0);
          expect(Number(counts!.kafka), label).toBe(Number(counts!.embedded));
          expect(Number(counts!.only_kafka), label).toBe(0);
          expect(Number(counts!.only_embedded), label).toBe(0);
          if (layer === 'raw') expect(Number(counts!.ids), label).toBe(Number(counts!.kafka));
        }
    } finally {
      db.close();
    }
  });
});
