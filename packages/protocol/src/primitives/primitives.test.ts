// Varints, Reader and Writer at their edges. Known encodings come from the protobuf varint/zigzag definitions that
// Kafka's record format and KIP-482 compact fields use.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { ProtocolDecodeError } from './codec-errors.ts'
import { Reader } from './reader.ts'
import { uvarintSize, varintSize, varlongSize, writeUVarint, writeVarint, writeVarlong, zigzag32 } from './varint.ts'
import { Writer } from './writer.ts'

function hex(write: (buf: Buffer, off: number) => number): string {
  const buf = Buffer.alloc(16)
  return buf.subarray(0, write(buf, 0)).toString('hex')
}

test('known unsigned and zigzag encodings', () => {
  assert.equal(
    hex((b, o) => writeUVarint(b, o, 0)),
    '00',
  )
  assert.equal(
    hex((b, o) => writeUVarint(b, o, 127)),
    '7f',
  )
  assert.equal(
    hex((b, o) => writeUVarint(b, o, 128)),
    '8001',
  )
  assert.equal(
    hex((b, o) => writeUVarint(b, o, 300)),
    'ac02',
  )
  assert.equal(
    hex((b, o) => writeUVarint(b, o, 0xffffffff)),
    'ffffffff0f',
  )
  assert.equal(zigzag32(-1), 1)
  assert.equal(zigzag32(1), 2)
  assert.equal(zigzag32(-2147483648), 0xffffffff)
  assert.equal(
    hex((b, o) => writeVarint(b, o, -1)),
    '01',
  )
  assert.equal(
    hex((b, o) => writeVarint(b, o, 63)),
    '7e',
  )
  assert.equal(
    hex((b, o) => writeVarint(b, o, -65)),
    '8101',
  )
  // 2^40 zigzags to 2^41: 42 significant bits → 6 bytes
  assert.equal(
    hex((b, o) => writeVarlong(b, o, 2 ** 40)),
    '808080808040',
  )
  // -(2^40) - 1 zigzags to 2^41 + 1
  assert.equal(
    hex((b, o) => writeVarlong(b, o, -(2 ** 40) - 1)),
    '818080808040',
  )
  // -(2^53 - 1) zigzags to 2^54 - 3, which a double cannot hold
  assert.equal(
    hex((b, o) => writeVarlong(b, o, -(2 ** 53) + 1)),
    'fdffffffffffff1f',
  )
})

test('uvarint round-trips every uint32 and sizes match', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
      const buf = Buffer.alloc(5)
      const end = writeUVarint(buf, 0, n)
      assert.equal(end, uvarintSize(n))
      const r = new Reader(buf, 0, end)
      assert.equal(r.uvarint(), n)
      assert.equal(r.remaining, 0)
    }),
    { numRuns: 2000 },
  )
})

test('zigzag varint round-trips every int32', () => {
  fc.assert(
    fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
      const buf = Buffer.alloc(5)
      const end = writeVarint(buf, 0, n)
      assert.equal(end, varintSize(n))
      assert.equal(new Reader(buf, 0, end).varint(), n)
    }),
    { numRuns: 2000 },
  )
})

test('zigzag varlong round-trips safe integers without BigInt', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.maxSafeInteger(),
        fc.integer(),
        fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1),
      ),
      (n) => {
        const buf = Buffer.alloc(10)
        const end = writeVarlong(buf, 0, n)
        assert.equal(end, varlongSize(n), `size of ${n}`)
        const r = new Reader(buf, 0, end)
        assert.equal(r.varlong(), n)
        assert.equal(r.remaining, 0)
      },
    ),
    { numRuns: 5000 },
  )
})

test('reader refuses to run past its end or accept over-long varints', () => {
  const r = new Reader(Buffer.from([0, 1, 2]))
  assert.throws(() => r.int32(), ProtocolDecodeError)
  assert.throws(() => new Reader(Buffer.from([0x80, 0x80])).uvarint(), ProtocolDecodeError)
  assert.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])).uvarint(), /longer than 32 bits/)
  assert.throws(() => new Reader(Buffer.alloc(11, 0xff)).varlong(), /longer than 10 bytes/)
  assert.throws(() => new Reader(Buffer.alloc(4)).bytes(5), /needs 5 bytes/)
  assert.throws(() => new Reader(Buffer.alloc(4)).utf8(-2), /negative length/)
  // a window of a larger buffer stops at its own end
  const window = new Reader(Buffer.alloc(8), 2, 4)
  window.int16()
  assert.throws(() => window.int8(), ProtocolDecodeError)
})

test('writer splices chunks without copying them and checks its size', () => {
  const payload = Buffer.from('records!')
  const w = new Writer(6)
  w.int16(1)
  w.chunk(payload)
  w.int32(7)
  const chunks = w.finish()
  assert.equal(chunks.length, 3)
  assert.equal(chunks[1], payload, 'the caller buffer itself, not a copy')
  assert.equal(Buffer.concat(chunks).toString('hex'), `0001${payload.toString('hex')}00000007`)
  const short = new Writer(4)
  short.int16(1)
  assert.throws(() => short.finish(), /sized 4/)
})

test('uuid text form is Kafka’s URL-safe base64', () => {
  const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
  const text = new Reader(bytes).uuid()
  assert.equal(text, 'ABEiM0RVZneImaq7zN3u_w')
  const w = new Writer(16)
  w.uuid(text)
  assert.ok(w.finish()[0]?.equals(bytes))
  assert.throws(() => new Writer(16).uuid('not-a-uuid'))
})
