export {
  type AthenaTableDefinition,
  type AthenaTableOptions,
  athenaTableDefinition,
  DEFAULT_PROJECTION_START_DATE,
  type GlueTableInput,
  lakeTables,
  PARQUET_STORAGE,
  PROJECTION_FUTURE_DAYS,
  type TableZone,
} from './athenaDdl.js';
export { athenaToDuckDb } from './athenaShim.js';
export { compactionCandidates, compactRaw } from './compactRaw.js';
export {
  CURATION_DEFAULTS,
  CURATION_PATHS,
  CURATION_TEST_DEFAULTS,
  MANIFEST_FILE,
  SQL_ATHENA_DIR,
  SQL_CURATED_DIR,
  ZONES,
} from './constants.js';
export {
  type CompactionTaskOptions,
  type CurationTaskOptions,
  formatCompaction,
  lakeCompactionTask,
  lakeCurationTask,
} from './curationTasks.js';
export {
  CurationError,
  CurationLockedError,
  CurationOptionError,
  ManifestError,
  PipelineDefinitionError,
  SqlTemplateError,
  StepFailedError,
} from './errors.js';
export { loadPipeline, renderStep } from './pipeline.js';
export { runCuration } from './runCuration.js';
export { readManifest } from './tableManifest.js';
export type {
  CompactionOptions,
  CompactionSummary,
  CurationOptions,
  CurationProgress,
  CurationSummary,
  DatasetRunSummary,
  SkippedFile,
  TableManifest,
  TableRunSummary,
} from './types.js';
export { type CurationView, curationViews, type ManifestSource, registerCurationViews } from './views.js';
