import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FrameDecoder, FrameTooLargeError } from './framing.ts'

function frame(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(body.length)
  return Buffer.concat([prefix, body])
}

test('frames inside one chunk come out whole and in order', () => {
  const d = new FrameDecoder(100)
  const out = d.push(Buffer.concat([frame(Buffer.from('ab')), frame(Buffer.alloc(0)), frame(Buffer.from('xyz'))]))
  assert.deepEqual(
    out.map((b) => b.toString()),
    ['ab', '', 'xyz'],
  )
  assert.equal(d.bufferedBytes, 0)
})

test('every split point of a byte stream yields the same frames', () => {
  const bodies = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from('a much longer frame body'), Buffer.from('z')]
  const stream = Buffer.concat(bodies.map(frame))
  for (let a = 0; a <= stream.length; a++) {
    for (let b = a; b <= stream.length; b += 3) {
      const d = new FrameDecoder(1000)
      const out = [...d.push(stream.subarray(0, a)), ...d.push(stream.subarray(a, b)), ...d.push(stream.subarray(b))]
      assert.deepEqual(out, bodies, `split at ${a}/${b}`)
    }
  }
})

test('byte-at-a-time delivery', () => {
  const stream = Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))])
  const d = new FrameDecoder(10)
  const out: Buffer[] = []
  for (const byte of stream) out.push(...d.push(Buffer.from([byte])))
  assert.deepEqual(
    out.map((b) => b.toString()),
    ['one', 'two'],
  )
})

test('a size above the limit or below zero is refused before buffering', () => {
  const d = new FrameDecoder(8)
  assert.throws(() => d.push(frame(Buffer.alloc(9))), FrameTooLargeError)
  const huge = Buffer.alloc(4)
  huge.writeInt32BE(0x7fffffff)
  assert.throws(() => new FrameDecoder(1024).push(huge), FrameTooLargeError)
  const negative = Buffer.alloc(4)
  negative.writeInt32BE(-5)
  assert.throws(() => new FrameDecoder(1024).push(negative), FrameTooLargeError)
  // exactly the limit is fine
  assert.equal(new FrameDecoder(8).push(frame(Buffer.alloc(8))).length, 1)
})
