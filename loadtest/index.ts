// The load-test harness's public surface (the benchmarks of bench/ are scripts, not exported).
export {
  DURATION_METRIC_PREFIXES,
  ERCOT_DAILY_LOAD_SHAPE,
  MIX_FIELDS,
  SCENARIO_DIR,
  SCENARIO_SCHEMA_FILE,
  STAGE_KINDS,
  TARGET_KINDS,
} from './constants.js';
export { LoadtestError, ScenarioError } from './errors.js';
export { loadtestMain } from './main.js';
export { type HistogramJson, type HistogramSummary, LogHistogram } from './metrics/LogHistogram.js';
export {
  clockTicksPerSecond,
  DEFAULT_CLOCK_TICKS,
  type ProcessSample,
  ProcessSampler,
  type ProcessSamplerOptions,
  type ProcStat,
  parseProcStat,
  parseVmRssMiB,
  type SampledProcess,
} from './metrics/ProcessSampler.js';
export {
  type CellJson,
  type CellSummary,
  COUNTERS,
  type Counter,
  LATENCY_MEASURES,
  type LatencyMeasure,
  MetricsCell,
  RunMetrics,
} from './metrics/RunMetrics.js';
export {
  type CostEstimate,
  type CostInput,
  type CostLine,
  estimateCost,
  type GlueRuns,
  loadPrices,
  PRICES_FILE,
  type PriceTable,
  type StreamLoad,
} from './model/costModel.js';
export {
  CURATION_RUN,
  DEFAULT_EVENT_BYTES,
  datasetKeyLoads,
  eventsPerAggregate,
  peakRate,
  SINK_AGGREGATION,
  STREAM_READERS,
  scenarioCost,
  scenarioShardPredictions,
} from './model/scenarioModels.js';
export {
  compareWithThrottles,
  evenKeyLoads,
  evenShardRanges,
  type KeyLoad,
  observeShards,
  predictShardLoad,
  SHARD_WRITE_LIMITS,
  type ShardComparison,
  type ShardLoad,
  type ShardModelInput,
  type ShardObservation,
  type ShardPrediction,
} from './model/shardModel.js';
export { formatPlan, planScenario, type ScenarioPlan } from './plan.js';
export { RateProfile, type RateSegment } from './profile/RateProfile.js';
export {
  type CuratedReconciliation,
  type DatasetReconciliation,
  LakeBusyError,
  RECONCILE_DEFAULTS,
  RECONCILE_FILES,
  RECONCILIATION_FORMAT,
  type ReconcileOptions,
  type ReconcileSample,
  type Reconciliation,
  type ReconciliationFile,
  RUN_FORMAT,
  type RunFile,
  type RunFolder,
  RunFolderError,
  readRunFolder,
  reconcileRun,
  WORKER_FORMAT,
  type WorkerDataset,
  type WorkerFile,
} from './reconcile/index.js';
export {
  COMPARE_TOLERANCE,
  type CompareResult,
  changePercent,
  compareRuns,
  type Direction,
  readRunSummary,
  type SummaryRead,
  verdictOf,
} from './report/compareRuns.js';
export { evaluateSlos, type MetricLookup, metricUnit } from './report/evaluateSlos.js';
export {
  type DatasetProgress,
  formatClock,
  formatProgress,
  type ProgressSnapshot,
  type ProgressStream,
  ProgressWriter,
  type ProgressWriterOptions,
} from './report/progress.js';
export {
  parseTimeSeries,
  REPORT_CHARTS,
  RUN_FILES,
  renderReport,
  writeReport,
} from './report/renderReport.js';
export { type ChartSeries, escapeHtml, type LineChartOptions, lineChart } from './report/svgChart.js';
export * from './report/types.js';
export {
  RUN_EXIT_CODES,
  type RunScenarioOptions,
  type RunScenarioResult,
  runScenario,
  sloTable,
  TargetUnreachableError,
} from './run/runScenario.js';
export {
  loadScenario,
  mixSymbols,
  parseScenario,
  resolveScenarioPath,
  scenarioSchema,
  searchRates,
  shippedScenarios,
} from './scenario/loadScenario.js';
export { formatDuration, parseDuration } from './scenario/parseDuration.js';
export { scenarioStreams } from './scenario/scenarioStreams.js';
export type {
  DatasetLoad,
  Scenario,
  Stage,
  StageKind,
  Target,
  TargetKind,
  Threshold,
} from './scenario/types.js';
export {
  OpenModelScheduler,
  type OpenModelSchedulerOptions,
  type ScheduledEvent,
} from './scheduler/OpenModelScheduler.js';
export {
  type LoadClock,
  type OpenModelResult,
  type RunOpenModelOptions,
  runOpenModel,
  WALL_LOAD_CLOCK,
} from './scheduler/runOpenModel.js';
export {
  type MergedDataset,
  type MergedWorkers,
  mergeWorkerResults,
  readWorkerResults,
} from './worker/mergeWorkerResults.js';
export { LAG_LIMIT_MS, type LoadWorkerHooks, runLoadWorker } from './worker/runLoadWorker.js';
export { runIdStampMs, runWorkerCommand, type WorkerCommandOptions } from './worker/runWorkerCommand.js';
export * from './worker/types.js';
export { type WorkerSlice, workerEventCount, workerSlice } from './worker/workerSlice.js';
