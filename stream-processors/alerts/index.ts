export { ALERT_KINDS, ALERT_SEVERITIES, DEFAULT_ALERT_THRESHOLDS, THRESHOLD_ENV_VARS } from './constants.js';
export { AlertError, InvalidThresholdError } from './errors.js';
export { evaluateAlerts } from './evaluateAlerts.js';
export { thresholdsFromEnv, validateThresholds } from './thresholds.js';
export type { Alert, AlertKind, AlertSeverity, AlertThresholds } from './types.js';
