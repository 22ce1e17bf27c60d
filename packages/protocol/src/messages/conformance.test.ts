// Layer-0 conformance: every hand-written API schema agrees with Kafka's message specs (read at test time from
// ../shared/reference) on field names, order, types, versions, nullable and tagged versions and declared
// defaults, for every version we define. Versions removed by KIP-896 are checked against the pre-4.0 specs.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inVersions, isEmptyRange, parseVersions } from '../versions.ts'
import { ourWireFields, specStructs, specWireFields, type WireField } from '../testing/conformance.ts'
import { listSpecs, type SpecMessage } from '../testing/reference.ts'
import { loadApiSchemas } from '../testing/schemas.ts'
import type { ApiSchema } from '../schema.ts'

const current = listSpecs('kafka-message-specs')
const pre896 = listSpecs('kafka-message-specs-pre-kip896')
const apis = await loadApiSchemas()

function specFor(name: string, version: number): SpecMessage | undefined {
  for (const set of [current, pre896]) {
    const s = set.get(name)
    if (s && inVersions(parseVersions(s.validVersions), version)) return s
  }
  return undefined
}

/** Versions Kafka defines for a message: the 4.x range plus pre-KIP-896 versions, minus an unstable latest. */
function kafkaVersions(name: string): number[] {
  const versions = new Set<number>()
  for (const set of [current, pre896]) {
    const s = set.get(name)
    if (!s) continue
    const r = parseVersions(s.validVersions)
    const max = s.latestVersionUnstable ? r.max - 1 : r.max
    for (let v = r.min; v <= max; v++) versions.add(v)
  }
  return [...versions].sort((a, b) => a - b)
}

/**
 * Versions released in Kafka 4.x that the reference specs (a pre-release 4.0 snapshot for KIP-848's APIs) lack.
 * Each is checked against the previous version's spec plus the change the release made, stated here as data.
 * ConsumerGroupDescribe v1 (Kafka 4.0, KIP-1099): the request is unchanged; each member gains an int8 memberType
 * (default -1, ignorable) after targetAssignment. librdkafka 2.15's KIP-848 consumer relies on the released shape.
 */
const BEYOND_REFERENCE: Record<string, { from: number; patch?: (fields: WireField[]) => void }> = {
  'ConsumerGroupDescribeRequest v1': { from: 0 },
  'ConsumerGroupDescribeResponse v1': {
    from: 0,
    patch(fields) {
      const members = fields.find((f) => f.name === 'groups')?.fields?.find((f) => f.name === 'members')
      assert.ok(members?.fields, 'ConsumerGroupDescribeResponse: groups[].members[]')
      members.fields.push({
        name: 'memberType',
        type: 'int8',
        nullable: false,
        tag: null,
        ignorable: true,
        default: '-1',
      })
    },
  },
}

let pairs = 0
let extensions = 0

test('no two schemas share an API key', () => {
  const keys = apis.map((a) => a.key)
  assert.deepEqual(keys, [...new Set(keys)])
})

for (const api of apis) {
  test(`conformance ${api.key} ${api.name}`, () => {
    checkApi(api)
  })
}

function checkApi(api: ApiSchema): void {
  const ours = api.validVersions
  assert.ok(!isEmptyRange(ours) && Number.isFinite(ours.max), `${api.name}: validVersions must be a closed range`)
  for (const direction of ['request', 'response'] as const) {
    const specName = `${api.name}${direction === 'request' ? 'Request' : 'Response'}`
    const kafka = kafkaVersions(specName)
    assert.ok(kafka.length > 0, `no Kafka spec named ${specName}`)
    for (const v of kafka) {
      assert.ok(inVersions(ours, v), `${specName}: Kafka defines v${v} but our schema covers only ${ours.text}`)
    }
    for (let v = ours.min; v <= ours.max; v++) {
      const extension = BEYOND_REFERENCE[`${specName} v${v}`]
      if (extension) {
        const base = specFor(specName, extension.from)
        assert.ok(base, `${specName} v${extension.from}`)
        const flexible = inVersions(parseVersions(base.flexibleVersions), v)
        const expected = specWireFields(base.fields, extension.from, flexible, specStructs(base), true)
        extension.patch?.(expected)
        assert.deepEqual(ourWireFields(api[direction].struct, v, flexible, true), expected, `${specName} v${v}`)
        extensions++
        continue
      }
      const spec = specFor(specName, v)
      assert.ok(spec, `${specName} v${v}: not a version Kafka defines`)
      assert.equal(spec.apiKey, api.key, `${specName}: apiKey`)
      const flexible = inVersions(parseVersions(spec.flexibleVersions), v)
      assert.equal(inVersions(api.flexibleVersions, v), flexible, `${specName} v${v}: flexibility`)
      const isCurrent = current.get(specName) === spec
      const expected = specWireFields(spec.fields, v, flexible, specStructs(spec), isCurrent)
      const actual = ourWireFields(api[direction].struct, v, flexible, isCurrent)
      assert.deepEqual(actual, expected, `${specName} v${v}: fields differ`)
      pairs++
    }
  }
}

test('conformance summary', (t) => {
  const line = `conformance: ${pairs} (api, direction, version) pairs checked against Kafka's specs across ${apis.length} APIs, plus ${extensions} against documented post-snapshot changes`
  t.diagnostic(line)
  console.log(line)
  assert.ok(pairs > 0)
})
