// Retries with exponential back-off, as Kafka's clients do since KIP-580: the n-th retry waits
// retry.backoff.ms × 2^n, capped at retry.backoff.max.ms, with ±20% jitter so clients that failed together do not
// retry together. An operation is retried only while its error is retriable, retries remain and its deadline
// (delivery.timeout.ms, default.api.timeout.ms) has not passed.

import { isRetriableError, SamsaError, SamsaErrorCode } from './errors.ts'

export interface BackoffOptions {
  retryBackoffMs: number
  retryBackoffMaxMs: number
}

const JITTER = 0.2

/** The wait before retry number `attempt` (0 for the first retry). */
export function backoffMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = options.retryBackoffMs
  const max = Math.max(base, options.retryBackoffMaxMs)
  const exponential = Math.min(max, base * 2 ** Math.min(attempt, 31))
  const jitter = 1 - JITTER + random() * 2 * JITTER
  return Math.min(max, Math.round(exponential * jitter))
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

export interface RetryOptions extends BackoffOptions {
  retries: number
  /** Absolute time (Date.now()) after which no further attempt starts. */
  deadline: number
  /** Called before each retry, e.g. to ask for a metadata refresh. */
  onRetry?: (error: unknown, attempt: number) => void | Promise<void>
  signal?: AbortSignal
}

/** Runs `operation` until it succeeds or fails in a way retrying cannot help. */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!isRetriableError(error) || attempt >= options.retries || options.signal?.aborted === true) throw error
      const wait = backoffMs(attempt, options)
      if (Date.now() + wait >= options.deadline) {
        throw new SamsaError(SamsaErrorCode.TIMEOUT, `gave up after ${attempt + 1} attempts: ${String(error)}`, {
          cause: error,
        })
      }
      await options.onRetry?.(error, attempt)
      await delay(wait, options.signal)
    }
  }
}
