// Real bytes: every request and response body kafkajs recorded (requests from its encoder, responses from real
// Kafka 2.x brokers) must decode with our codec at the API version that kafkajs's own specs use it for, consume
// every byte, and re-encode to the identical bytes. A few decoded values are checked field by field.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codecFor } from '../message-codec.ts'
import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import type { ApiSchema } from '../schema.ts'
import { fixtureIndex, readFixture } from '../testing/reference.ts'
import { loadApiSchemas } from '../testing/schemas.ts'

const apis = await loadApiSchemas()
const byKafkajsName = new Map(apis.map((a) => [a.name.toLowerCase(), a]))

/** Fixtures that are deliberately not valid at their version, and what must happen instead. */
const EXPECTED_FAILURES: Record<string, string> = {
  // recorded from a broker that answered ApiVersions v1 in the v0 layout; kafkajs retries at v0 when it sees this
  'requests/apiVersions/fixtures/v1_response_missing_throttle_time.json': 'v0 layout under a v1 header',
}

interface Case {
  fixture: string
  api: ApiSchema
  direction: 'request' | 'response'
  version: number
}

function casesFromIndex(): Case[] {
  const out: Case[] = []
  for (const row of fixtureIndex()) {
    if (row.kind !== 'request-body' && row.kind !== 'response-body') continue
    const match = /^requests\/([A-Za-z]+)\/fixtures\/v(\d+)_/.exec(row.fixture)
    if (!match) continue
    const api = byKafkajsName.get((match[1] as string).toLowerCase())
    if (!api) throw new Error(`no schema for kafkajs API folder ${match[1]}`)
    const direction = row.kind === 'request-body' ? 'request' : 'response'
    // kafkajs's spec path names the API version a fixture is used for; the file's own vN may be a shared layout
    const versions = row.specs.length ? row.specs.map((s) => Number(/\/v(\d+)\//.exec(s)?.[1])) : [Number(match[2])]
    for (const version of versions) out.push({ fixture: row.fixture, api, direction, version })
  }
  return out
}

const cases = casesFromIndex()
let decoded = 0
let reencoded = 0

for (const c of cases) {
  test(`fixture ${c.fixture} as ${c.api.name} ${c.direction} v${c.version}`, () => {
    const bytes = readFixture(c.fixture)
    const codec = codecFor(c.api, c.direction, c.version)
    if (EXPECTED_FAILURES[c.fixture]) {
      assert.throws(() => codec.decode(bytes), ProtocolDecodeError)
      return
    }
    // For flexible versions kafkajs records the header's (empty) tag section as the first byte of the "body".
    const headerTags = codec.flexible ? 1 : 0
    if (headerTags) assert.equal(bytes[0], 0, 'empty header tag section')
    const body = bytes.subarray(headerTags)
    const value = codec.decode(body)
    decoded++
    assert.deepEqual(codec.encodeToBuffer(value).toString('hex'), body.toString('hex'))
    reencoded++
  })
}

test('fixture summary', (t) => {
  const line = `fixtures: ${cases.length} (fixture, version) cases, ${decoded} decoded, ${reencoded} re-encoded byte-equal`
  t.diagnostic(line)
  console.log(line)
  assert.ok(cases.length >= 150, 'expected the kafkajs request/response fixtures to be found')
})

// ---------------------------------------------------------------------------------------------------------------
// Decoded values, checked field by field (expected values from ../shared/reference/README.md's worked examples).

function api(name: string): ApiSchema {
  const found = apis.find((a) => a.name === name)
  assert.ok(found, `schema ${name}`)
  return found
}

test('Metadata v3 response from a real 3-broker cluster', () => {
  const value = codecFor(api('Metadata'), 'response', 3).decode(
    readFixture('requests/metadata/fixtures/v3_response.json'),
  ) as Record<string, unknown>
  assert.equal(value.throttleTimeMs, 0)
  assert.deepEqual(value.brokers, [
    { nodeId: 2, host: '192.168.1.173', port: 9098, rack: null },
    { nodeId: 1, host: '192.168.1.173', port: 9095, rack: null },
    { nodeId: 0, host: '192.168.1.173', port: 9092, rack: null },
  ])
  assert.equal(value.clusterId, 'Q0WO3u_TTAeslFDJWiiGvA')
  assert.equal(value.controllerId, 1)
  const [topic] = value.topics as Record<string, unknown>[]
  assert.equal(topic?.errorCode, 0)
  assert.equal(topic?.name, 'test-topic-0f67c79007c9157fc83d')
  assert.equal(topic?.isInternal, false)
  const [partition] = topic?.partitions as Record<string, unknown>[]
  assert.equal(partition?.errorCode, 0)
  assert.equal(partition?.partitionIndex, 0)
  assert.equal(partition?.leaderId, 2)
  assert.deepEqual(partition?.replicaNodes, [2])
  assert.deepEqual(partition?.isrNodes, [2])
})

test('Produce v3 request from kafkajs', () => {
  const value = codecFor(api('Produce'), 'request', 3).decode(
    readFixture('requests/produce/fixtures/v3_request.json'),
  ) as Record<string, unknown>
  assert.equal(value.transactionalId, null)
  assert.equal(value.acks, -1)
  assert.equal(value.timeoutMs, 30000)
  const [topic] = value.topicData as Record<string, unknown>[]
  assert.equal(topic?.name, 'test-topic-ebba68879c6f5081d8c2')
  const [partition] = topic?.partitionData as Record<string, unknown>[]
  assert.equal(partition?.index, 0)
  const records = partition?.records as Buffer
  assert.equal(records.length, 270)
  assert.equal(records.readUInt32BE(17), 0xd20a45ed, 'batch CRC')
})

test('Produce v3 response', () => {
  const value = codecFor(api('Produce'), 'response', 3).decode(
    readFixture('requests/produce/fixtures/v3_response.json'),
  ) as Record<string, unknown>
  assert.equal(value.throttleTimeMs, 0)
  const [topic] = value.responses as Record<string, unknown>[]
  assert.equal(topic?.name, 'test-topic-ebba68879c6f5081d8c2')
  const [partition] = topic?.partitionResponses as Record<string, unknown>[]
  assert.equal(partition?.index, 0)
  assert.equal(partition?.errorCode, 0)
  assert.equal(partition?.baseOffset, 0n)
  assert.equal(partition?.logAppendTimeMs, -1n)
})

test('Fetch v4 response: records stay a zero-copy view of the frame', () => {
  const bytes = readFixture('requests/fetch/fixtures/v4_response.json')
  const value = codecFor(api('Fetch'), 'response', 4).decode(bytes) as Record<string, unknown>
  assert.equal(value.throttleTimeMs, 0)
  const [topic] = value.responses as Record<string, unknown>[]
  assert.equal(topic?.topic, 'test-topic-ab4d54774dcadc395a7f')
  const [partition] = topic?.partitions as Record<string, unknown>[]
  assert.equal(partition?.partitionIndex, 0)
  assert.equal(partition?.errorCode, 0)
  assert.equal(partition?.highWatermark, 3n)
  assert.equal(partition?.lastStableOffset, 3n)
  assert.deepEqual(partition?.abortedTransactions, [])
  const records = partition?.records as Buffer
  assert.equal(records.length, 217)
  assert.equal(records.readUInt32BE(17), 0xd6545568, 'batch CRC')
  assert.equal(records.buffer, bytes.buffer, 'records share memory with the frame')
})
