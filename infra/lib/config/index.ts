export {
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  CONFIG_OVERRIDE_PREFIX,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_FILE,
  ENV_CONTEXT_KEY,
} from './constants.js';
export { ConfigError } from './errors.js';
export { loadConfig } from './loadConfig.js';
export { overrideFromString, resolveConfig } from './resolveConfig.js';
export type * from './types.js';
