/**
 * Retries that ride out a provider restart. The SDK's standard strategy spends its attempts in well under a second
 * (every upload in flight failed during a 2.4 s outage) and shares a quota of 100 retries per client, which a server
 * with many uploads in flight empties at once. This one keeps the SDK's judgement of what is retryable (`errorType`,
 * `Retry-After`) and only changes how long and how often: exponential backoff to a cap, per request, no shared quota.
 */
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

/**
 * How a request is retried: attempts in all, the first delay (doubled each time) and the longest delay, in ms.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { maxAttempts: 6, baseDelay: 500, maxDelay: 5000 }; // 12.5 s of waiting at most
 * ```
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelay: number;
  maxDelay: number;
}

/** Six attempts 0.5, 1, 2, 4 and 5 s apart: over 7.5 s of waiting before the last, so a 5 s restart costs nothing. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelay: 500, maxDelay: 5000 };

function token(count: number, delay: number): StandardRetryToken {
  return {
    getRetryCount: () => count,
    // The SDK's retry middleware sleeps for this long before the next attempt.
    getRetryDelay: () => delay,
    getRetryCost: () => undefined,
  };
}

function retryable(info: RetryErrorInfo): boolean {
  // SERVER_ERROR is a 5xx the SDK does not call transient (501 Not Implemented and the like): retrying cannot help.
  return info.errorType === 'TRANSIENT' || info.errorType === 'THROTTLING';
}

/**
 * A `RetryStrategyV2` with `policy`'s backoff (plus up to 20 % jitter, so clients that failed together do not retry
 * in step), honouring a provider's `Retry-After`.
 *
 * @example
 * ```ts
 * new S3Client({ retryStrategy: createRetryStrategy({ maxAttempts: 3, baseDelay: 10, maxDelay: 20 }) });
 * ```
 */
export function createRetryStrategy(policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    async refreshRetryTokenForRetry(previous, info) {
      const count = previous.getRetryCount() + 1;
      if (count >= policy.maxAttempts || !retryable(info)) throw new Error('No retry token available');
      const backoff = Math.min(policy.maxDelay, policy.baseDelay * 2 ** (count - 1));
      const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
      const delay = Math.max(backoff, Math.min(hinted, policy.maxDelay));
      return token(count, Math.round(delay * (1 + Math.random() * 0.2)));
    },
    recordSuccess: () => undefined,
  };
}
