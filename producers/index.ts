export {
  type AbortOnSignalsOptions,
  abortOnSignals,
  EXIT_CODES,
  signalExitCode,
} from '../common/abortOnSignals.js';
export { PRODUCER_DEFAULTS } from './constants.js';
export { ProducerError, ProducerOptionError, TooManyRejectsError } from './errors.js';
export { formatCounters, sumCounters } from './formatCounters.js';
export { type RunProducerOptions, runProducer } from './runProducer.js';
export {
  type EventSink,
  type ProducerProgress,
  type ProducerResult,
  STOP_REASONS,
  type StopReason,
} from './types.js';
