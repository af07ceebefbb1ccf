export { AbortError, abortErrorFor, isAbortError } from './abort-error';
export { backoffCeiling, backoffDelay } from './backoff';
export type { BackoffOptions, Jitter } from './backoff';
export { retry } from './retry';
export type { RetryOptions } from './retry';
export { sleep } from './sleep';
