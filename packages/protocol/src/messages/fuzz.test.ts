// Bad input: mutated, truncated and oversized frames must fail with a ProtocolDecodeError that names the field
// path, never with another exception, and never by allocating more than the bytes that remain. Seeds are every
// kafkajs fixture (real bytes, old versions) plus messages encoded from our own schemas at every version (to cover
// compact and tagged encodings). A seeded PRNG keeps any failure reproducible: the seed and mutation index are in
// the assertion message.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { decodeRequestBody, decodeRequestHeader, encodeRequestFrame } from '../headers.ts'
import { codecFor, isFlexible, type MessageCodec } from '../message-codec.ts'
import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import type { ApiSchema } from '../schema.ts'
import { structArbitrary } from '../testing/arbitrary.ts'
import { xorshift32 } from '../testing/prng.ts'
import { fixtureIndex, readFixture } from '../testing/reference.ts'
import { loadApiSchemas } from '../testing/schemas.ts'

const apis = await loadApiSchemas()
const MUTATIONS = Number(process.env.SAMSA_FUZZ_MUTATIONS ?? 120_000)
const SEED = Number(process.env.SAMSA_FUZZ_SEED ?? 20261124)

interface Seed {
  name: string
  codec: MessageCodec<unknown>
  bytes: Buffer
}

function seeds(): Seed[] {
  const out: Seed[] = []
  const byName = new Map(apis.map((a) => [a.name.toLowerCase(), a]))
  for (const row of fixtureIndex()) {
    const m = /^requests\/([A-Za-z]+)\/fixtures\/v(\d+)_/.exec(row.fixture)
    if (!m || (row.kind !== 'request-body' && row.kind !== 'response-body')) continue
    const api = byName.get((m[1] as string).toLowerCase())
    const version = Number(/\/v(\d+)\//.exec(row.specs[0] ?? '')?.[1] ?? m[2])
    if (!api || row.fixture.includes('missing_throttle')) continue
    const direction = row.kind === 'request-body' ? 'request' : 'response'
    const codec = codecFor(api, direction, version)
    // flexible kafkajs fixtures start with the header's empty tag section; the body follows it
    const bytes = readFixture(row.fixture).subarray(codec.flexible ? 1 : 0)
    out.push({ name: `${row.fixture}@v${version}`, codec, bytes })
  }
  for (const api of apis) {
    for (const direction of ['request', 'response'] as const) {
      for (let v = api.validVersions.min; v <= api.validVersions.max; v++) {
        const codec = codecFor(api, direction, v)
        const [value] = fc.sample(structArbitrary(api[direction].struct, v, isFlexible(api, v)), {
          numRuns: 1,
          seed: SEED + v,
        })
        out.push({ name: `${api.name}${direction} v${v}`, codec, bytes: codec.encodeToBuffer(value) })
      }
    }
  }
  return out
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe]

function mutate(input: Buffer, rand: () => number): Buffer {
  const buf = Buffer.from(input)
  const n = buf.length
  switch (rand() % 7) {
    case 0: // flip bits in a few bytes
      for (let k = 1 + (rand() % 3); k > 0 && n > 0; k--) {
        const at = rand() % n
        buf[at] = (buf[at] as number) ^ (1 << (rand() % 8))
      }
      return buf
    case 1: // an interesting byte value
      if (n > 0) buf[rand() % n] = INTERESTING[rand() % INTERESTING.length] as number
      return buf
    case 2: // a huge length or count: 0x7fffffff / 0xffff / a large varint
      if (n >= 4) {
        const at = rand() % (n - 3)
        const forms = [0x7fffffff, 0x7fff0000, 0xffffffff, 0x0fffffff]
        buf.writeUInt32BE(forms[rand() % forms.length] as number, at)
      }
      return buf
    case 3: // truncate
      return buf.subarray(0, rand() % Math.max(1, n))
    case 4: // append junk
      return Buffer.concat([buf, Buffer.from([rand() & 0xff, rand() & 0xff, rand() & 0xff].slice(0, 1 + (rand() % 3)))])
    case 5: {
      // delete a range
      const at = rand() % Math.max(1, n)
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + (rand() % 4))])
    }
    default: {
      // duplicate a range
      const at = rand() % Math.max(1, n)
      const len = 1 + (rand() % 8)
      return Buffer.concat([buf.subarray(0, at + len), buf.subarray(at, at + len), buf.subarray(at + len)])
    }
  }
}

const allSeeds = seeds()

test(`fuzz: ${MUTATIONS} mutated message bodies decode or fail with a ProtocolDecodeError`, (t) => {
  const rand = xorshift32(SEED)
  let rejected = 0
  for (let i = 0; i < MUTATIONS; i++) {
    const seed = allSeeds[rand() % allSeeds.length] as Seed
    const bytes = mutate(seed.bytes, rand)
    try {
      seed.codec.decode(bytes)
    } catch (e) {
      rejected++
      if (!(e instanceof ProtocolDecodeError)) {
        assert.fail(
          `mutation ${i} (seed ${SEED}) of ${seed.name} threw ${(e as Error)?.name}: ${(e as Error)?.message}`,
        )
      }
      assert.ok(e.path.length > 0, `mutation ${i} of ${seed.name}: error without a field path: ${e.message}`)
    }
  }
  const line = `fuzz: ${MUTATIONS} mutations of ${allSeeds.length} seeds, ${rejected} rejected with a field path, ${MUTATIONS - rejected} still valid`
  t.diagnostic(line)
  console.log(line)
})

test('every truncation of every seed is rejected with a field path', () => {
  let count = 0
  for (const seed of allSeeds) {
    for (let cut = 0; cut < seed.bytes.length; cut++) {
      assert.throws(
        () => seed.codec.decode(seed.bytes.subarray(0, cut)),
        (e: unknown) => e instanceof ProtocolDecodeError && e.path.length > 0,
        `${seed.name} cut at ${cut}`,
      )
      count++
    }
  }
  assert.ok(count > 1000)
})

test('a huge declared count or length fails before allocating', () => {
  const metadata = apis.find((a) => a.name === 'Metadata') as ApiSchema
  // Metadata v1 response: brokers array count = 0x7fffffff in a 8-byte body
  const body = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])
  assert.throws(
    () => codecFor(metadata, 'response', 1).decode(body),
    (e: unknown) => e instanceof ProtocolDecodeError && /cannot fit/.test(e.message) && e.fieldPath === 'brokers',
  )
  // a flexible string whose compact length claims 2^28 bytes
  const heartbeat = apis.find((a) => a.name === 'Heartbeat') as ApiSchema
  const flex = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01])
  assert.throws(
    () => codecFor(heartbeat, 'request', 4).decode(flex),
    (e: unknown) => e instanceof ProtocolDecodeError && e.fieldPath === 'groupId',
  )
})

test(`fuzz: mutated request frames (header + body) never throw anything but ProtocolDecodeError`, () => {
  const rand = xorshift32(SEED + 1)
  const lookup = (key: number) => apis.find((a) => a.key === key)
  const frames = apis.flatMap((api) =>
    [api.validVersions.min, api.validVersions.max].map((v) => {
      const [value] = fc.sample(structArbitrary(api.request.struct, v, isFlexible(api, v)), { numRuns: 1, seed: SEED })
      const chunks = encodeRequestFrame(api, v, { correlationId: 7, clientId: 'fuzz' }, value)
      return Buffer.concat(chunks).subarray(4)
    }),
  )
  for (let i = 0; i < 20_000; i++) {
    const frame = mutate(frames[rand() % frames.length] as Buffer, rand)
    try {
      const header = decodeRequestHeader(frame, lookup)
      const api = lookup(header.requestApiKey)
      if (
        api &&
        header.requestApiVersion >= api.validVersions.min &&
        header.requestApiVersion <= api.validVersions.max
      ) {
        decodeRequestBody(api, header.requestApiVersion, frame, header.bodyOffset)
      }
    } catch (e) {
      if (!(e instanceof ProtocolDecodeError))
        assert.fail(`frame mutation ${i}: ${(e as Error)?.name} ${(e as Error)?.message}`)
    }
  }
})
