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
  const simple: Record<string, string> = {
    string: 'VARCHAR',
    int: 'INTEGER',
    bigint: 'BIGINT',
    float: 'FLOAT',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
    binary: 'BLOB',
    timestamp: 'TIMESTAMPTZ',
    date: 'DATE',
  };
  const mapped = simple[t];
  if (!mapped) throw new ContractError(`Hive type ${JSON.stringify(hiveType)} has no DuckDB mapping`);
  return mapped;
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
