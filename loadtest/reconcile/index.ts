// Exact reconciliation of a load-test run folder against its lake (docs/LOADTEST.md, "Reconciliation").
export {
  RECONCILE_DEFAULTS,
  RECONCILE_FILES,
  RECONCILIATION_FORMAT,
  RUN_FORMAT,
  WORKER_FORMAT,
} from './constants.js';
export { LakeBusyError, RunFolderError } from './errors.js';
export { readRunFolder } from './readRunFolder.js';
export { reconcileRun } from './reconcileRun.js';
export type {
  CuratedReconciliation,
  DatasetReconciliation,
  ReconcileOptions,
  ReconcileSample,
  Reconciliation,
  ReconciliationFile,
  RunFile,
  RunFolder,
  WorkerDataset,
  WorkerFile,
} from './types.js';
