import type { AvroField, AvroRecord, AvroSchema } from './avroTypes.js';
import { ContractError } from './errors.js';

/** One column of a Glue/Hive table. */
export interface HiveColumn {
  /** Column name, identical to the Avro field name. */
  readonly name: string;
  /** Hive type string as Glue, Athena and Firehose's record format conversion expect it. */
  readonly type: string;
  /** Field documentation from the schema, when present. */
  readonly comment?: string;
}

/**
 * Strips the `null` branch of an optional union (`["null", X]`).
 *
 * @param schema - a field type
 * @returns the non-null type and whether the field is nullable
 */
export function unwrapNullable(schema: AvroSchema): { type: AvroSchema; nullable: boolean } {
  if (Array.isArray(schema)) {
    const branches = schema.filter((s) => s !== 'null');
    if (branches.length !== 1) {
      throw new ContractError(
        `union ${JSON.stringify(schema)} is not supported: only ["null", T] unions map to a table column`,
      );
    }
    return { type: branches[0]!, nullable: branches.length !== schema.length };
  }
  return { type: schema, nullable: false };
}

/**
 * Maps an Avro type to its Hive type (the type Glue tables, Athena and Firehose conversion use).
 *
 * @param schema - an Avro type
 * @example
 * ```ts
 * avroToHiveType({ type: 'long', logicalType: 'timestamp-millis' }); // 'timestamp'
 * ```
 */
export function avroToHiveType(schema: AvroSchema): string {
  const { type } = unwrapNullable(schema);
  if (typeof type === 'string') return primitiveToHive(type);
  if (Array.isArray(type)) throw new ContractError(`nested union ${JSON.stringify(type)} is not supported`);
  switch (type.type) {
    case 'record':
      return `struct<${type.fields.map((f) => `${f.name}:${avroToHiveType(f.type)}`).join(',')}>`;
    case 'enum':
      return 'string';
    case 'array':
      return `array<${avroToHiveType(type.items)}>`;
    case 'map':
      return `map<string,${avroToHiveType(type.values)}>`;
    case 'fixed':
      if (type.logicalType === 'decimal') return `decimal(${type.precision},${type.scale ?? 0})`;
      return 'binary';
    default:
      if (type.logicalType === 'timestamp-millis' || type.logicalType === 'timestamp-micros') {
        return 'timestamp';
      }
      if (type.logicalType === 'date') return 'date';
      if (type.logicalType === 'decimal') return `decimal(${type.precision},${type.scale ?? 0})`;
      return primitiveToHive(type.type);
  }
}

function primitiveToHive(name: string): string {
  switch (name) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'int';
    case 'long':
      return 'bigint';
    case 'float':
      return 'float';
    case 'double':
      return 'double';
    case 'bytes':
      return 'binary';
    case 'string':
      return 'string';
    default:
      throw new ContractError(`Avro type ${JSON.stringify(name)} has no Hive column type`);
  }
}

/**
 * The Glue/Hive column list of a record schema, in field order.
 *
 * @param schema - a dataset's record schema
 */
export function hiveColumns(schema: AvroRecord): HiveColumn[] {
  return schema.fields.map((f: AvroField) => ({
    name: f.name,
    type: avroToHiveType(f.type),
    ...(f.doc ? { comment: f.doc } : {}),
  }));
}

/**
 * Maps a Hive column type to the DuckDB type that writes the same Parquet physical/logical type.
 * Timestamps become `TIMESTAMPTZ` so Parquet carries isAdjustedToUTC=true and every reader
 * (DuckDB, pyarrow, Spark, Athena) sees the same UTC instant.
 *
 * @param hiveType - a type from {@link avroToHiveType}
 */
export function hiveToDuckDbType(hiveType: string): string {
  const t = hiveType.trim();
  if (t.startsWith('decimal(')) return t.toUpperCase();
  if (t.startsWith('array<')) return `${hiveToDuckDbType(t.slice(6, -1))}[]`;
  if (t.startsWith('map<string,')) return `MAP(VARCHAR, ${hiveToDuckDbType(t.slice(11, -1))})`;
  if (t.startsWith('struct<')) {
    const inner = splitTopLevel(t.slice(7, -1)).map((part) => {
      const i = part.indexOf(':');
      return `"${part.slice(0, i)}" ${hiveToDuckDbType(part.slice(i + 1))}`;
    });
    return `STRUCT(${inner.join(', ')})`;
  }
  const mapped = HIVE_TO_DUCKDB[t as keyof typeof HIVE_TO_DUCKDB];
  if (!mapped) throw new ContractError(`Hive type ${JSON.stringify(hiveType)} has no DuckDB mapping`);
  return mapped;
}

/**
 * The one table of scalar types: each Hive type and the DuckDB type that writes the same Parquet
 * physical/logical type. Both directions are read from it.
 */
export const HIVE_TO_DUCKDB = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
} as const;

/** DESCRIBE's spelling of DuckDB types whose name differs from the one {@link HIVE_TO_DUCKDB} uses. */
const DUCKDB_ALIASES: Readonly<Record<string, string>> = { 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMPTZ' };

/**
 * Maps a DuckDB column type (as DESCRIBE prints it) to the Hive type of the same Parquet column.
 *
 * @param duckType - e.g. `VARCHAR`, `DECIMAL(12,2)`, `TIMESTAMP WITH TIME ZONE`
 * @throws TypeError for a type Hive, Athena or Spark would read differently (HUGEINT, naive TIMESTAMP, …):
 *   a SQL defect, cast it in the SQL
 */
export function duckDbToHiveType(duckType: string): string {
  const upper = duckType.trim().toUpperCase();
  const t = DUCKDB_ALIASES[upper] ?? upper;
  for (const [hive, duck] of Object.entries(HIVE_TO_DUCKDB)) if (duck === t) return hive;
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  throw new TypeError(`DuckDB type ${duckType} has no portable Hive type; cast it in the SQL`);
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
