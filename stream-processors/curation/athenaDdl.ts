import { contractFor, type HiveColumn, isDataset, PARTITION_KEYS } from '../../schemas/index.js';
import { DT_COLUMN } from './constants.js';
import { CurationOptionError } from './errors.js';
import { loadPipeline } from './pipeline.js';
import type { TableSchema } from './types.js';

/** Lake zones with Glue/Athena tables. */
export type TableZone = 'raw' | 'curated' | 'gold';

/** Hive classes of the lake's Parquet tables (Firehose writes, Glue jobs write, Athena/Spectrum read). */
export const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

/**
 * Days past today the raw tables' `dt` projection reaches: grid carries day-ahead (DAM) intervals of
 * tomorrow, weather carries forecasts up to 16 days ahead, trades are executed now (one day of skew).
 */
export const PROJECTION_FUTURE_DAYS = { grid: 2, weather: 16, transactions: 1 } as const;

/** Default first `dt` of the raw tables' projection. */
export const DEFAULT_PROJECTION_START_DATE = '2024-01-01';

/** Options of {@link athenaTableDefinition}. */
export interface AthenaTableOptions {
  /** First `dt` of the raw projection, yyyy-MM-dd. @default '2024-01-01' */
  readonly projectionStartDate?: string;
  /** Days past today of the raw projection. @default PROJECTION_FUTURE_DAYS[dataset] */
  readonly projectionFutureDays?: number;
  /** Table description. @default a sentence naming the zone and the source */
  readonly description?: string;
  /** Curated/gold schemas to use instead of sql/curated/tables.json (while regenerating it). */
  readonly tables?: Readonly<Record<string, TableSchema>>;
}

/** A Glue column as CloudFormation/CDK take it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/**
 * A Glue table input in the shape of CDK's `CfnTable.TableInputProperty` (camelCase), so the CDK app
 * can pass it as is and create exactly the table the DDL describes.
 */
export interface GlueTableInput {
  readonly name: string;
  readonly description: string;
  readonly tableType: 'EXTERNAL_TABLE';
  readonly parameters: Readonly<Record<string, string>>;
  readonly partitionKeys: readonly GlueColumn[];
  readonly storageDescriptor: {
    readonly columns: readonly GlueColumn[];
    readonly location: string;
    readonly inputFormat: string;
    readonly outputFormat: string;
    readonly serdeInfo: {
      readonly serializationLibrary: string;
      readonly parameters: Readonly<Record<string, string>>;
    };
    readonly compressed: boolean;
    readonly storedAsSubDirectories: boolean;
  };
}

/** Everything needed to create a lake table in Glue/Athena. */
export interface AthenaTableDefinition {
  /** `<zone>_<table>`, the same name as the local DuckDB view, so SQL runs unchanged in both. */
  readonly name: string;
  readonly columns: readonly HiveColumn[];
  readonly partitionKeys: readonly HiveColumn[];
  readonly location: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** For CDK's `glue.CfnTable` `tableInput`. */
  readonly tableInput: GlueTableInput;
  /** `CREATE EXTERNAL TABLE ...;` for Athena. */
  readonly ddl: string;
}

function glueColumn(c: HiveColumn): GlueColumn {
  // Glue limits column comments to 255 characters.
  return { name: c.name, type: c.type, ...(c.comment ? { comment: c.comment.slice(0, 255) } : {}) };
}

function ddlColumn(c: HiveColumn): string {
  const comment = c.comment
    ? ` COMMENT '${c.comment.slice(0, 255).replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
    : '';
  return `\`${c.name}\` ${c.type}${comment}`;
}

function columnsOf(
  zone: TableZone,
  table: string,
  tables: Readonly<Record<string, TableSchema>> | undefined,
): { columns: HiveColumn[]; partitionKeys: HiveColumn[] } {
  if (zone === 'raw') {
    if (!isDataset(table))
      throw new CurationOptionError(
        'table',
        table,
        'a dataset (grid, weather, transactions) for the raw zone',
      );
    return {
      columns: [...contractFor(table).columns],
      partitionKeys: PARTITION_KEYS.map((p) => ({
        name: p.name,
        type: catalogType(p.name, p.hiveType),
        comment: p.comment,
      })),
    };
  }
  const schema = (tables ?? loadPipeline().tables)[`${zone}_${table}`];
  if (!schema)
    throw new CurationOptionError(
      'table',
      `${zone}/${table}`,
      'a curated or gold table of sql/curated/tables.json',
    );
  // Contract columns keep their schema documentation.
  const docs = new Map<string, string>();
  const base = table.replace(/_quarantine$/, '');
  if (zone === 'curated' && isDataset(base)) {
    for (const c of contractFor(base).columns) if (c.comment) docs.set(c.name, c.comment);
  }
  return {
    columns: schema.columns.map((c) => (docs.has(c.name) ? { ...c, comment: docs.get(c.name)! } : { ...c })),
    partitionKeys: schema.partitionKeys.map((c) => ({ ...c, type: catalogType(c.name, c.type) })),
  };
}

/**
 * The catalog type of a partition column: `dt` is a DATE in every zone (raw, curated, gold), as in
 * the local DuckDB views, so one predicate (`dt >= current_date - INTERVAL '7' DAY`) works on every
 * table and prunes partitions. Its folder values are yyyy-MM-dd, which Athena, Spectrum and the raw
 * tables' date projection read as dates. The pipeline itself keeps dt as the folder's text.
 */
function catalogType(name: string, type: string): string {
  return name === DT_COLUMN ? 'date' : type;
}

/**
 * The Glue/Athena definition of a lake table, from the contracts (raw) or the pipeline's generated
 * schemas (curated, gold). Raw tables use partition projection on `dt` (date, yyyy-MM-dd, from the
 * start date to NOW+N days) and `hr` (00..23) with a `storage.location.template` matching
 * `raw/<dataset>/dt=…/hr=…/`, so new partitions are queryable without crawlers or MSCK REPAIR.
 * Curated and gold tables are partitioned by `dt` without projection: their partitions point at the
 * version folder of the run that published them (the curation job updates them, see
 * glue/gridstream_glue/catalog.py).
 *
 * @param table - dataset (raw, curated) or table name (`grid_quarantine`, `grid_weather_hourly`)
 * @param zone - `raw`, `curated` or `gold`
 * @param location - the table's S3 prefix, e.g. `s3://bucket/raw/grid/` (a CDK token works)
 * @param options - projection range, description
 * @example
 * ```ts
 * const raw = athenaTableDefinition('grid', 'raw', `s3://${bucket.bucketName}/raw/grid/`);
 * new glue.CfnTable(this, 'RawGrid', { catalogId, databaseName, tableInput: raw.tableInput });
 * ```
 */
export function athenaTableDefinition(
  table: string,
  zone: TableZone,
  location: string,
  options: AthenaTableOptions = {},
): AthenaTableDefinition {
  if (!location.startsWith('s3://') && !location.startsWith('${')) {
    throw new CurationOptionError('location', location, 'an s3:// prefix');
  }
  const root = location.endsWith('/') ? location : `${location}/`;
  const { columns, partitionKeys } = columnsOf(zone, table, options.tables);
  const name = `${zone}_${table}`;
  const parameters: Record<string, string> = {
    classification: 'parquet',
    EXTERNAL: 'TRUE',
    'parquet.compression': 'SNAPPY',
  };
  if (zone === 'raw') {
    const start = options.projectionStartDate ?? DEFAULT_PROJECTION_START_DATE;
    const future =
      options.projectionFutureDays ?? PROJECTION_FUTURE_DAYS[table as keyof typeof PROJECTION_FUTURE_DAYS];
    Object.assign(parameters, {
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${start},NOW+${future}DAYS`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'projection.hr.type': 'integer',
      'projection.hr.range': '0,23',
      'projection.hr.digits': '2',
      'storage.location.template': `${root}dt=\${dt}/hr=\${hr}/`,
    });
  }
  const description =
    options.description ??
    (zone === 'raw'
      ? `raw ${table} events as delivered (columns from schemas/avro/${table}.avsc), partitioned by event time.`
      : `${zone} ${table}, published by the curation pipeline (sql/curated), partitioned by dt.`);
  const tableInput: GlueTableInput = {
    name,
    description,
    tableType: 'EXTERNAL_TABLE',
    parameters,
    partitionKeys: partitionKeys.map(glueColumn),
    storageDescriptor: {
      columns: columns.map(glueColumn),
      location: root,
      inputFormat: PARQUET_STORAGE.inputFormat,
      outputFormat: PARQUET_STORAGE.outputFormat,
      serdeInfo: {
        serializationLibrary: PARQUET_STORAGE.serializationLibrary,
        parameters: { 'serialization.format': '1' },
      },
      compressed: true,
      storedAsSubDirectories: false,
    },
  };
  const props = Object.entries(parameters)
    .filter(([k]) => k !== 'EXTERNAL')
    .map(([k, v]) => `  '${k}' = '${v}'`)
    .join(',\n');
  const ddl = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${name}\` (`,
    columns.map((c) => `  ${ddlColumn(c)}`).join(',\n'),
    ')',
    `COMMENT '${description.replaceAll("'", "\\'")}'`,
    `PARTITIONED BY (${partitionKeys.map(ddlColumn).join(', ')})`,
    'STORED AS PARQUET',
    `LOCATION '${root}'`,
    `TBLPROPERTIES (\n${props}\n);`,
  ].join('\n');
  return { name, columns, partitionKeys, location: root, parameters, tableInput, ddl };
}

/** Every lake table: raw per dataset, then the pipeline's curated and gold tables. */
export function lakeTables(
  tables: Readonly<Record<string, TableSchema>> = loadPipeline().tables,
): { zone: TableZone; table: string }[] {
  const out: { zone: TableZone; table: string }[] = [
    { zone: 'raw', table: 'grid' },
    { zone: 'raw', table: 'weather' },
    { zone: 'raw', table: 'transactions' },
  ];
  for (const s of Object.values(tables)) out.push({ zone: s.zone, table: s.table });
  return out;
}
