export {
  type AlertConsumerOptions,
  alertConsumerOptionsFromEnv,
  createAlertConsumerHandler,
} from './alertConsumer.js';
export { ENV, SERVICE_NAMES } from './constants.js';
export {
  type ErcotCredentials,
  parseErcotCredentials,
  passwordGrantToken,
  type SecretReader,
  secretsManagerReader,
} from './ercotCredentials.js';
export {
  createErcotPollerHandler,
  type ErcotPollerHandlerOptions,
  ercotPollerFromSecret,
} from './ercotPoller.js';
export { AlertPublishError, ConfigurationError, StreamProcessorError, UnknownSourceError } from './errors.js';
export {
  createFirehoseTransformHandler,
  type FirehoseTransformOptions,
  type TransformOutcome,
  transformRecord,
} from './firehoseTransform.js';
export { createOpenMeteoPollerHandler, type OpenMeteoPollerHandlerOptions } from './openMeteoPoller.js';
export {
  deliverPoll,
  POLLER_CLOSE_DEADLINE_MS,
  PollerDeliveryError,
  type PollerSink,
  type PollerSummary,
  streamNameFor,
} from './pollerDelivery.js';
export { type AlertPublisher, createSnsPublisher, type SnsLike } from './snsPublisher.js';
export { datasetOfSource, parseSourceDatasets, resourceNameOf } from './sourceDatasets.js';
export type * from './types.js';
