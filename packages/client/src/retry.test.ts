import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SamsaError } from './errors.ts'
import { backoffMs, withRetries } from './retry.ts'

test('back-off doubles per attempt up to retry.backoff.max.ms (KIP-580)', () => {
  const options = { retryBackoffMs: 100, retryBackoffMaxMs: 1000 }
  const middle = () => 0.5 // no jitter
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((attempt) => backoffMs(attempt, options, middle)),
    [100, 200, 400, 800, 1000, 1000],
  )
  assert.equal(
    backoffMs(0, options, () => 0),
    80,
    '-20% jitter',
  )
  assert.equal(
    backoffMs(1, options, () => 1),
    240,
    '+20% jitter',
  )
  assert.equal(
    backoffMs(5, options, () => 1),
    1000,
    'jitter never exceeds the maximum',
  )
})

test('retries retriable errors only, and at most `retries` times', async () => {
  const options = { retryBackoffMs: 0, retryBackoffMaxMs: 0, retries: 2, deadline: Infinity }
  let calls = 0
  await assert.rejects(
    withRetries(() => {
      calls++
      throw new SamsaError('SAMSA_ERR_NETWORK', 'down', { retriable: true })
    }, options),
    /down/,
  )
  assert.equal(calls, 3)
  calls = 0
  await assert.rejects(
    withRetries(() => {
      calls++
      throw new SamsaError('SAMSA_ERR_PROTOCOL', 'fatal')
    }, options),
    /fatal/,
  )
  assert.equal(calls, 1)
  const result = await withRetries((attempt) => {
    if (attempt < 2) return Promise.reject(new SamsaError('SAMSA_ERR_TIMEOUT', 'slow', { retriable: true }))
    return Promise.resolve(attempt)
  }, options)
  assert.equal(result, 2)
})

test('a deadline stops retrying with SAMSA_ERR_TIMEOUT', async () => {
  const options = { retryBackoffMs: 10, retryBackoffMaxMs: 10, retries: 100, deadline: Date.now() - 1 }
  await assert.rejects(
    withRetries(() => Promise.reject(new SamsaError('SAMSA_ERR_NETWORK', 'down', { retriable: true })), options),
    (e) => e instanceof SamsaError && e.code === 'SAMSA_ERR_TIMEOUT' && e.cause instanceof SamsaError,
  )
})
