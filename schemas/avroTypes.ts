/** Avro schema shapes as they appear in *.avsc files (the subset gridstream understands). */
export type AvroSchema =
  | AvroPrimitiveName
  | AvroSchema[]
  | AvroPrimitive
  | AvroRecord
  | AvroEnum
  | AvroArray
  | AvroMap
  | AvroFixed;

/** Avro primitive type names. */
export type AvroPrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** A primitive written as an object, possibly with a logical type. */
export interface AvroPrimitive {
  readonly type: AvroPrimitiveName;
  readonly logicalType?: string;
  readonly precision?: number;
  readonly scale?: number;
}

/** Avro record. */
export interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly fields: readonly AvroField[];
}

/** One field of an Avro record. */
export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly doc?: string;
  readonly default?: unknown;
}

/** Avro enum. */
export interface AvroEnum {
  readonly type: 'enum';
  readonly name: string;
  readonly symbols: readonly string[];
}

/** Avro array. */
export interface AvroArray {
  readonly type: 'array';
  readonly items: AvroSchema;
}

/** Avro map (keys are strings). */
export interface AvroMap {
  readonly type: 'map';
  readonly values: AvroSchema;
}

/** Avro fixed. */
export interface AvroFixed {
  readonly type: 'fixed';
  readonly name: string;
  readonly size: number;
  readonly logicalType?: string;
  readonly precision?: number;
  readonly scale?: number;
}
