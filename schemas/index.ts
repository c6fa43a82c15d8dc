export type {
  AvroArray,
  AvroEnum,
  AvroField,
  AvroFixed,
  AvroMap,
  AvroPrimitive,
  AvroRecord,
  AvroSchema,
} from './avroTypes.js';
export {
  AVRO_DIR,
  avroToTsType,
  GENERATED_FILE,
  generateModule,
  readCurrentSchema,
  readSchemaHistory,
} from './codegen.js';
export { type CompatibilityReport, checkCompatibility } from './compatibility.js';
export { DATASETS, EVENT_ID_FIELD, EVENT_TIME_FIELD, PARTITION_KEYS } from './constants.js';
export {
  CONTRACTS,
  type Contract,
  compileSchema,
  contractFor,
  type Dataset,
  isDataset,
  NESTING_MARGIN,
  partitionOf,
  partitionPrefix,
  type SerializedEvent,
} from './contracts.js';
export {
  ContractError,
  type ContractViolation,
  ContractViolationError,
  IncompatibleSchemaError,
} from './errors.js';
export { compileFastEncoder, type FastEncoder, MAX_SHAPES } from './fastCodec.js';
export type { EventByDataset, GridEvent, TransactionsEvent, WeatherEvent } from './generated.js';
export {
  avroToHiveType,
  duckDbToHiveType,
  HIVE_TO_DUCKDB,
  type HiveColumn,
  hiveColumns,
  hiveToDuckDbType,
  unwrapNullable,
} from './hive.js';
export {
  JSON_SCHEMA_DIR,
  JSON_SCHEMAS,
  type JsonSchema,
  type JsonSchemaIssue,
  readJsonSchema,
  validateJson,
} from './jsonSchema.js';
export { inspectJsonText, type JsonTextIssue } from './jsonText.js';
export { eventPartition, PARTITION_TIME_FIELDS, partitionTimeOf } from './partitioning.js';
export { compileWireChecker, type WireChecker } from './wireChecker.js';
