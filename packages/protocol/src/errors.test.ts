import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { ErrorCode, errorInfo, errorName, isKafkaError, isRetriable, KAFKA_ERRORS, KafkaError } from './errors.ts'

// The highest code in Kafka 4.1/4.2. Bump it deliberately when the table gains codes from a newer Kafka release.
const MAX_CODE = 133

describe('error table', () => {
  test('codes are unique and ascending', () => {
    const codes = KAFKA_ERRORS.map((e) => e.code)
    assert.equal(new Set(codes).size, codes.length)
    assert.deepEqual(
      codes,
      [...codes].sort((a, b) => a - b),
    )
  })

  test('covers every code from -1 to the max with no gaps', () => {
    const codes = KAFKA_ERRORS.map((e) => e.code)
    const expected = Array.from({ length: MAX_CODE + 2 }, (_, i) => i - 1)
    assert.deepEqual(codes, expected)
    assert.equal(KAFKA_ERRORS.length, 135)
  })

  test('names are unique UPPER_SNAKE', () => {
    const names = KAFKA_ERRORS.map((e) => e.name)
    assert.equal(new Set(names).size, names.length)
    for (const name of names) assert.match(name, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, name)
  })

  test('every entry has a non-empty message and a boolean retriable flag', () => {
    for (const e of KAFKA_ERRORS) {
      assert.equal(typeof e.retriable, 'boolean', e.name)
      assert.ok(e.message.length > 0, e.name)
      assert.ok(Object.isFrozen(e), e.name)
    }
  })

  test('well-known entries match Kafka', () => {
    const cases: [code: number, name: string, retriable: boolean][] = [
      [-1, 'UNKNOWN_SERVER_ERROR', false],
      [0, 'NONE', false],
      [1, 'OFFSET_OUT_OF_RANGE', false],
      [2, 'CORRUPT_MESSAGE', true],
      [3, 'UNKNOWN_TOPIC_OR_PARTITION', true],
      [6, 'NOT_LEADER_OR_FOLLOWER', true],
      [7, 'REQUEST_TIMED_OUT', true],
      [8, 'BROKER_NOT_AVAILABLE', false],
      [13, 'NETWORK_EXCEPTION', true],
      [16, 'NOT_COORDINATOR', true],
      [25, 'UNKNOWN_MEMBER_ID', false],
      [27, 'REBALANCE_IN_PROGRESS', false],
      [35, 'UNSUPPORTED_VERSION', false],
      [41, 'NOT_CONTROLLER', true],
      [51, 'CONCURRENT_TRANSACTIONS', true],
      [56, 'KAFKA_STORAGE_ERROR', true],
      [79, 'MEMBER_ID_REQUIRED', false],
      [84, 'ELECTION_NOT_NEEDED', true],
      [87, 'INVALID_RECORD', false],
      [89, 'THROTTLING_QUOTA_EXCEEDED', true],
      [90, 'PRODUCER_FENCED', false],
      [100, 'UNKNOWN_TOPIC_ID', true],
      [120, 'TRANSACTION_ABORTABLE', false],
      [129, 'REBOOTSTRAP_REQUIRED', false],
      [133, 'SHARE_SESSION_LIMIT_REACHED', true],
    ]
    for (const [code, name, retriable] of cases) {
      const info = errorInfo(code)
      assert.equal(info.code, code)
      assert.equal(info.name, name, `code ${code}`)
      assert.equal(info.retriable, retriable, name)
      assert.equal(errorName(code), name)
      assert.equal(isRetriable(code), retriable, name)
    }
  })
})

describe('ErrorCode', () => {
  test('agrees with the table in both directions', () => {
    const entries = Object.entries(ErrorCode)
    assert.equal(entries.length, KAFKA_ERRORS.length)
    for (const [name, code] of entries) assert.equal(errorName(code), name)
    for (const e of KAFKA_ERRORS) assert.equal((ErrorCode as Record<string, number>)[e.name], e.code)
  })

  test('spot checks', () => {
    assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6)
    assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35)
    assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100)
    // Compile-time check that the type is the union of the literal codes, not plain number.
    const code: ErrorCode = ErrorCode.TRANSACTION_ABORTABLE
    assert.equal(code, 120)
  })
})

describe('unknown codes', () => {
  test('get a synthesized, non-retriable entry', () => {
    for (const code of [MAX_CODE + 1, 999, -2, 32767, -32768]) {
      const info = errorInfo(code)
      assert.equal(info.code, code)
      assert.equal(info.name, `UNKNOWN_ERROR_CODE_${code}`)
      assert.equal(info.retriable, false)
      assert.ok(info.message.includes(String(code)))
      assert.equal(errorName(code), `UNKNOWN_ERROR_CODE_${code}`)
      assert.equal(isRetriable(code), false)
    }
  })

  test('non-integer input does not hit a table entry', () => {
    assert.equal(errorName(0.5), 'UNKNOWN_ERROR_CODE_0.5')
    assert.equal(errorName(Number.NaN), 'UNKNOWN_ERROR_CODE_NaN')
  })
})

describe('KafkaError', () => {
  test('fields and default message come from the table', () => {
    const e = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.ok(e instanceof Error)
    assert.ok(e instanceof KafkaError)
    assert.equal(e.name, 'KafkaError')
    assert.equal(e.code, 6)
    assert.equal(e.errorName, 'NOT_LEADER_OR_FOLLOWER')
    assert.equal(e.retriable, true)
    assert.equal(e.message, `NOT_LEADER_OR_FOLLOWER: ${errorInfo(6).message}`)
    assert.match(e.stack ?? '', /^KafkaError: NOT_LEADER_OR_FOLLOWER/)
    assert.equal(String(e), `KafkaError: ${e.message}`)
  })

  test('explicit message overrides the default', () => {
    const e = new KafkaError(ErrorCode.INVALID_RECORD, 'record 3 has a null key')
    assert.equal(e.message, 'record 3 has a null key')
    assert.equal(e.errorName, 'INVALID_RECORD')
    assert.equal(e.retriable, false)
  })

  test('unknown code', () => {
    const e = new KafkaError(4242)
    assert.equal(e.code, 4242)
    assert.equal(e.errorName, 'UNKNOWN_ERROR_CODE_4242')
    assert.equal(e.retriable, false)
    assert.match(e.message, /^UNKNOWN_ERROR_CODE_4242: /)
  })

  test('brand is the registered samsa.error symbol and is not enumerable', () => {
    const e = new KafkaError(ErrorCode.REQUEST_TIMED_OUT)
    const brand = Symbol.for('samsa.error')
    assert.equal((e as unknown as Record<symbol, unknown>)[brand], true)
    assert.deepEqual(Object.keys(e).sort(), ['code', 'errorName', 'retriable'])
    assert.equal(JSON.stringify(e), JSON.stringify({ code: 7, errorName: 'REQUEST_TIMED_OUT', retriable: true }))
  })

  test('isKafkaError checks the brand, not the prototype chain', () => {
    assert.equal(isKafkaError(new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR)), true)
    // Stand-in for a KafkaError from another copy of the package: different class, same registered brand.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('samsa.error')]: true })
    assert.equal(isKafkaError(foreign), true)
    for (const v of [new Error('x'), { code: 6 }, null, undefined, 6, 'KafkaError'])
      assert.equal(isKafkaError(v), false)
    // A local, unregistered symbol with the same description is not the brand.
    assert.equal(isKafkaError(Object.assign(new Error('x'), { [Symbol('samsa.error')]: true })), false)
  })
})
