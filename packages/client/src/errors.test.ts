import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode, Produce } from '@samsa/protocol'
import { isKafkaProtocolError, isRetriableError, isSamsaError, KafkaProtocolError, SamsaError } from './errors.ts'

test('KafkaProtocolError takes its name and retriability from the protocol error table', () => {
  const e = new KafkaProtocolError({
    errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
    apiKey: Produce.key,
    apiVersion: 9,
    topic: 't',
    partition: 2,
  })
  assert.equal(e.errorName, 'NOT_LEADER_OR_FOLLOWER')
  assert.equal(e.code, 'SAMSA_ERR_PROTOCOL')
  assert.equal(e.retriable, true)
  assert.match(e.message, /^NOT_LEADER_OR_FOLLOWER \(t-2\)/)
  assert.ok(isSamsaError(e) && isKafkaProtocolError(e) && isRetriableError(e))
  const fatal = new KafkaProtocolError({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, apiKey: 0, apiVersion: 9 })
  assert.equal(fatal.retriable, false)
})

test('brands work without instanceof; causes are kept', () => {
  const cause = new Error('socket hang up')
  const e = new SamsaError('SAMSA_ERR_NETWORK', 'lost', { retriable: true, cause })
  assert.equal(e.cause, cause)
  assert.ok(isSamsaError({ ...e, [Symbol.for('samsa.client.error')]: true }))
  assert.ok(!isSamsaError(new Error('x')))
  assert.ok(!isKafkaProtocolError(e))
  assert.ok(!isRetriableError(new Error('bug')))
})
