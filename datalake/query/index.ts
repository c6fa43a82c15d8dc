export { assertLocalLake, LAKE_MARKERS } from './assertLake.js';
export { LAKE_VIEW_ZONES, OUTPUT_FORMATS, PARTITION_COLUMN_TYPES } from './constants.js';
export { NoLakeError, QueryError, RemoteLakeUnsupportedError } from './errors.js';
export { formatResult } from './formatResult.js';
export { contractViewColumns, lakeViewName, openLakeConnection, registerLakeViews } from './lakeViews.js';
export { runQuery } from './runQuery.js';
export type { LakeView, LakeViewOptions, OutputFormat, QueryResult, ViewColumn } from './types.js';
