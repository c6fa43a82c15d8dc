import { DEFAULT_LAKE } from '../../datalake/storage/index.js';
import { DATASETS, type Dataset, isDataset } from '../../schemas/index.js';
import {
  type CompactionSummary,
  CURATION_DEFAULTS,
  type CurationSummary,
  compactRaw,
  runCuration,
} from '../../stream-processors/curation/index.js';
import { type Command, intOption, UsageError } from '../command.js';
import { checkedLake, REMOTE_LAKE } from './query.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a size like `128MiB`, `64MB` or `1048576`.
 *
 * @param value - the option value
 */
export function parseSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(
      `--target-file-size must be a size like 128MiB, 64MB or 1048576, got ${JSON.stringify(value)}`,
    );
  }
  return Math.round(Number(m[1]) * unit);
}

function datasetsOf(value: unknown): Dataset[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const out: Dataset[] = [];
  for (const d of list.map((x) => x.trim()).filter(Boolean)) {
    if (!isDataset(d))
      throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(d)}`);
    out.push(d);
  }
  return out;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The human summary of a run: one line per dataset and table, then a closing line with counts and rates.
 *
 * @param s - the run summary
 * @param compaction - compaction summary when --compact ran
 */
export function formatSummary(s: CurationSummary, compaction?: CompactionSummary): string {
  const lines: string[] = [];
  if (compaction) {
    lines.push(
      `compaction: ${compaction.partitions} partition(s), ${compaction.filesBefore} -> ${compaction.filesAfter} files, ` +
        `${mib(compaction.bytesBefore)} -> ${mib(compaction.bytesAfter)}`,
    );
  }
  for (const [d, r] of Object.entries(s.datasets)) {
    lines.push(
      `raw_${d}: ${r.dts.length} dt, ${r.files} files, ${r.rows} rows, ${r.duplicates} duplicates, ${r.skippedFiles.length} files skipped`,
    );
  }
  for (const f of s.skippedFiles) lines.push(`  skipped ${f.file}: ${f.reason}`);
  for (const [t, r] of Object.entries(s.tables)) {
    lines.push(
      `${t.padEnd(32)} v${r.version}  ${r.dts.length} dt  ${r.rows} rows  ${r.files} files  ${mib(r.bytes)}`,
    );
  }
  const rows = Object.values(s.datasets).reduce((n, d) => n + d.rows, 0);
  const quarantined = Object.entries(s.tables)
    .filter(([t]) => t.endsWith('_quarantine'))
    .reduce((n, [, r]) => n + r.rows, 0);
  const seconds = s.durationMs / 1000;
  lines.push(
    Object.keys(s.tables).length === 0 && rows === 0
      ? `nothing to curate (no raw partition changed) in ${seconds.toFixed(1)} s`
      : `curated ${rows} raw rows into ${Object.keys(s.tables).length} tables (${quarantined} quarantined, ` +
          `${s.skippedFiles.length} files skipped) in ${seconds.toFixed(1)} s, ${Math.round(rows / Math.max(seconds, 0.001))} rows/s`,
  );
  return `${lines.join('\n')}\n`;
}

/** `gridstream curate`: raw -> curated + gold on DuckDB. */
export const command: Command = {
  name: 'curate',
  summary:
    'Curate the raw zone into curated and gold tables on DuckDB (dedup, quality rules, gold aggregates)',
  usage: '[--lake DIR] [--dataset grid,weather,transactions] [--since YYYY-MM-DD | --full] [--compact]',
  details: `
Runs the pipeline of sql/curated (the same SQL the Glue jobs run on Spark) over the raw partitions
that changed since the last run (new or late files within the lateness window), or every raw
partition from --since, or all with --full:
  curated_grid, curated_weather one row per natural key (sql/curated/pipeline.json naturalKeys): the
                                latest revision wins, revision_count kept; prices DECIMAL(12,2); by dt
  curated_<dataset>_quarantine  rows failing a rule of sql/curated/quality_rules.json (physical
                                invariants included), with dq_rule and dq_reason
  curated_transactions          latest valid version per trade_id, version_count, cancelled flagged
  gold_grid_weather_hourly, gold_trading_positions_daily, gold_daily_market_summary
Each table switches to its new files atomically (manifest rename): queries running meanwhile see the
previous or the new table, never a mix. Unreadable raw files are skipped and named; the rest curates.
Query the tables with: gridstream query "select * from gold_daily_market_summary order by dt"
--lake must be a local directory holding a lake (a raw/ or _checkpoints/ folder); any other path, and
an s3:// URL, is refused with exit 2 (an S3 lake is curated by the Glue jobs, which run the same SQL).

Examples:
  gridstream curate
  gridstream curate --dataset grid --since 2026-11-01
  gridstream curate --compact --target-file-size 64MiB`,
  options: {
    lake: { type: 'string', description: 'Lake directory', valueName: 'DIR', default: DEFAULT_LAKE },
    dataset: {
      type: 'string',
      multiple: true,
      description: 'Datasets to curate, comma-separated or repeated (default: all)',
      valueName: 'NAME',
    },
    since: { type: 'string', description: 'Re-curate every raw dt >= this date', valueName: 'YYYY-MM-DD' },
    full: { type: 'boolean', description: 'Re-curate every raw partition' },
    compact: {
      type: 'boolean',
      description: 'First compact closed raw partitions (older than the lateness window)',
    },
    'target-file-size': {
      type: 'string',
      description: 'Target Parquet file size',
      valueName: 'SIZE',
      default: '128MiB',
    },
    'lateness-hours': {
      type: 'string',
      description:
        'Lateness window: how far back late raw files are picked up; compaction leaves younger partitions',
      valueName: 'H',
      default: String(CURATION_DEFAULTS.latenessMs / 3_600_000),
    },
    json: { type: 'boolean', description: 'Print the summary as JSON' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress lines' },
  },
  async run(values) {
    const lake = String(values.lake ?? DEFAULT_LAKE);
    if (REMOTE_LAKE.test(lake)) {
      throw new UsageError(
        `--lake must be a local lake directory, got ${JSON.stringify(lake)}: curate runs DuckDB over local ` +
          'files and keeps its lock and state beside them; an s3:// lake is curated by the Glue jobs ' +
          '(gridstream-<env>-curate, deployed by the CDK app), or copy the lake to a local directory',
      );
    }
    await checkedLake(lake);
    const datasets = datasetsOf(values.dataset);
    const since = values.since === undefined ? undefined : String(values.since);
    if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since)) {
      throw new UsageError(`--since must be a date YYYY-MM-DD, got ${JSON.stringify(since)}`);
    }
    if (since !== undefined && values.full) throw new UsageError('give either --since or --full, not both');
    const targetFileSizeBytes = parseSize(String(values['target-file-size'] ?? '128MiB'));
    const latenessMs = intOption('lateness-hours', values['lateness-hours'], 48) * 3_600_000;
    const progress =
      values.quiet || values.json
        ? undefined
        : (e: { step: string; message: string }) => {
            process.stderr.write(`${e.step}: ${e.message}\n`);
          };
    let compaction: CompactionSummary | undefined;
    if (values.compact) {
      compaction = await compactRaw({
        lake,
        datasets,
        latenessMs,
        targetFileSizeBytes,
        onProgress: progress,
      });
    }
    const summary = await runCuration({
      lake,
      datasets,
      since,
      full: values.full === true,
      targetFileSizeBytes,
      latenessMs,
      onProgress: progress,
    });
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ compaction, ...summary }, null, 2)}\n`
        : formatSummary(summary, compaction),
    );
    return 0;
  },
};
