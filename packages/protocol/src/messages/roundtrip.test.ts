// Property-based round trips for every API × direction × version we define: random messages drawn from the
// schema itself must decode to exactly what was encoded, and re-encoding the decoded value must reproduce the
// bytes. Random unknown tagged fields ride along in flexible versions and must survive.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { codecFor, isFlexible } from '../message-codec.ts'
import { structArbitrary } from '../testing/arbitrary.ts'
import { loadApiSchemas } from '../testing/schemas.ts'

const apis = await loadApiSchemas()
const RUNS = Number(process.env.SAMSA_ROUNDTRIP_RUNS ?? 25)
let codecs = 0
let cases = 0

for (const api of apis) {
  test(`roundtrip ${api.key} ${api.name}`, () => {
    for (const direction of ['request', 'response'] as const) {
      for (let v = api.validVersions.min; v <= api.validVersions.max; v++) {
        const codec = codecFor(api, direction, v)
        const arb = structArbitrary(api[direction].struct, v, isFlexible(api, v))
        fc.assert(
          fc.property(arb, (value) => {
            const bytes = codec.encodeToBuffer(value)
            const decoded = codec.decode(bytes)
            assert.deepStrictEqual(decoded, value, `${api.name} ${direction} v${v}`)
            assert.ok(codec.encodeToBuffer(decoded).equals(bytes), `${api.name} ${direction} v${v}: re-encode differs`)
            cases++
          }),
          { numRuns: RUNS },
        )
        codecs++
      }
    }
  })
}

test('roundtrip summary', (t) => {
  const line = `roundtrip: ${codecs} (api, direction, version) codecs, ${cases} random messages across ${apis.length} APIs`
  t.diagnostic(line)
  console.log(line)
  assert.ok(codecs > 0)
})
