// Conformance of the internal record formats: every data schema exported from internal/ agrees with the Kafka
// spec of the same name (kafka-internal-record-specs, or kafka-message-specs for the consumer-protocol blobs),
// read at test time from ../shared/reference, on valid and flexible versions and, for every version, on field
// names, order, types, nullability, tags and declared defaults.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RecordSchema } from '../schema.ts'
import { ourWireFields, specStructs, specWireFields } from '../testing/conformance.ts'
import { listSpecs, type SpecMessage } from '../testing/reference.ts'
import { loadDataSchemas } from '../testing/schemas.ts'
import { inVersions, isEmptyRange, parseVersions } from '../versions.ts'

const internalSpecs = listSpecs('kafka-internal-record-specs')
const messageSpecs = listSpecs('kafka-message-specs')
const schemas = await loadDataSchemas()

/** Specs this package must describe: all of __consumer_offsets and __transaction_state, the blobs, the txn marker. */
const REQUIRED = [
  'OffsetCommitKey',
  'OffsetCommitValue',
  'GroupMetadataKey',
  'GroupMetadataValue',
  'ConsumerGroupMetadataKey',
  'ConsumerGroupMetadataValue',
  'ConsumerGroupPartitionMetadataKey',
  'ConsumerGroupPartitionMetadataValue',
  'ConsumerGroupMemberMetadataKey',
  'ConsumerGroupMemberMetadataValue',
  'ConsumerGroupTargetAssignmentMetadataKey',
  'ConsumerGroupTargetAssignmentMetadataValue',
  'ConsumerGroupTargetAssignmentMemberKey',
  'ConsumerGroupTargetAssignmentMemberValue',
  'ConsumerGroupCurrentMemberAssignmentKey',
  'ConsumerGroupCurrentMemberAssignmentValue',
  'TransactionLogKey',
  'TransactionLogValue',
  'ConsumerProtocolSubscription',
  'ConsumerProtocolAssignment',
  'EndTxnMarker',
]

function specFor(name: string): SpecMessage | undefined {
  const spec = internalSpecs.get(name) ?? messageSpecs.get(name)
  return spec && spec.type === 'data' && spec.name === name ? spec : undefined
}

let pairs = 0

test('internal schemas have unique names', () => {
  const names = schemas.map((s) => s.name)
  assert.deepEqual(names, [...new Set(names)])
})

test('every required internal record spec has a schema', () => {
  const names = new Set(schemas.map((s) => s.name))
  for (const name of REQUIRED) assert.ok(names.has(name), `no data schema named ${name} in internal/`)
})

for (const schema of schemas) {
  test(`internal conformance ${schema.name}`, () => {
    checkSchema(schema)
  })
}

function checkSchema(schema: RecordSchema): void {
  const spec = specFor(schema.name)
  assert.ok(spec, `no Kafka data spec named ${schema.name}`)
  const ours = schema.validVersions
  const kafka = parseVersions(spec.validVersions)
  assert.ok(!isEmptyRange(ours) && Number.isFinite(ours.max), `${schema.name}: validVersions must be a closed range`)
  // Data specs have no pre-KIP-896 variants, so the ranges must be identical.
  assert.deepEqual(
    [ours.min, ours.max],
    [kafka.min, kafka.max],
    `${schema.name}: validVersions ${ours.text}, Kafka ${spec.validVersions}`,
  )
  const kafkaFlexible = parseVersions(spec.flexibleVersions)
  const structs = specStructs(spec)
  for (let v = ours.min; v <= ours.max; v++) {
    assert.ok(inVersions(kafka, v), `${schema.name} v${v}: not a version Kafka defines`)
    const flexible = inVersions(kafkaFlexible, v)
    assert.equal(inVersions(schema.flexibleVersions, v), flexible, `${schema.name} v${v}: flexibility`)
    const expected = specWireFields(spec.fields, v, flexible, structs)
    const actual = ourWireFields(schema.struct, v, flexible)
    assert.deepEqual(actual, expected, `${schema.name} v${v}: fields differ`)
    pairs++
  }
}

test('internal-record conformance summary', (t) => {
  const line = `internal-record conformance: ${pairs} (schema, version) pairs checked across ${schemas.length} schemas`
  t.diagnostic(line)
  console.log(line)
  assert.ok(pairs > 0)
})
