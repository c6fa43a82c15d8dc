/**
 * Compatibility re-export, not a second retrier: `KinesisSink.ts` still imports the retrier from here.
 * New code imports from `../retry/index.js`; delete this file once that import has moved.
 */
export { type Bail, createRetrier, isRetriable, type Retrier, type RetryOptions } from '../retry/index.js';
