import assert from 'node:assert/strict'
import { test } from 'node:test'
import { xorshift32 } from '@samsa/protocol/testing'
import { FramePool } from './frame-pool.ts'
import { FrameReader } from './frame-reader.ts'
import { FrameTooLargeError } from './framing.ts'

function frame(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(body.length)
  return Buffer.concat([prefix, body])
}

function body(length: number, seed: number): Buffer {
  const next = xorshift32(seed)
  const out = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) out[i] = next() & 0xff
  return out
}

/** What a socket does with onread: copy up to `readSize(room)` bytes of the stream into nextBuffer(), report it. */
function deliver(reader: FrameReader, stream: Buffer, readSize: (room: number) => number): void {
  let pos = 0
  while (pos < stream.length) {
    const target = reader.nextBuffer()
    assert.ok(target.length > 0, 'the reader always offers room')
    const n = Math.min(stream.length - pos, target.length, Math.max(1, readSize(target.length)))
    stream.copy(target, 0, pos, pos + n)
    pos += n
    reader.received(n)
  }
}

function collecting(reader: FrameReader): { frames: Buffer[]; errors: Error[] } {
  const out = { frames: [] as Buffer[], errors: [] as Error[] }
  reader.attach({ frames: (f) => out.frames.push(...f), error: (e) => out.errors.push(e) })
  return out
}

// Small, empty, just below and just above the size that gets its own buffer, larger than the scratch buffer, 1 MiB
// (allocated whole), 3 MiB (in a buffer that doubles as the bytes come).
const SIZES = [0, 7, 100, 16 * 1024 - 4, 16 * 1024 - 3, 16 * 1024, 70_000, 1 << 20, 3, 0, 5000, 3 * (1 << 20) + 7, 9]
const bodies = SIZES.map((size, i) => body(size, i + 1))
const stream = Buffer.concat(bodies.map(frame))

test('every frame comes out whole and in order, whatever sizes the reads have', () => {
  const next = xorshift32(42)
  const reads: [string, (room: number) => number][] = [
    ['as much as offered', (room) => room],
    ['one byte at a time', () => 1],
    ['random sizes', (room) => 1 + (next() % Math.min(room, 9000))],
    ['a prime', () => 4093],
  ]
  for (const [name, readSize] of reads) {
    const reader = new FrameReader(4 << 20)
    const out = collecting(reader)
    deliver(reader, stream, readSize)
    assert.equal(out.errors.length, 0)
    assert.equal(out.frames.length, bodies.length, name)
    out.frames.forEach((f, i) => assert.ok(f.equals(bodies[i] as Buffer), `${name}: frame ${i} of ${SIZES[i]} bytes`))
  }
})

test('connections share the scratch buffer: reads that interleave, or offer room and read nothing, lose no bytes', () => {
  // Two connections read their streams in turns of odd sizes, so each often stops inside a prefix or a small frame;
  // every other turn one of them is offered room and reads nothing (EAGAIN), after which the other reads.
  const next = xorshift32(7)
  const streams = [stream, Buffer.concat([...bodies].reverse().map(frame))]
  const readers = streams.map(() => new FrameReader(4 << 20))
  const outs = readers.map(collecting)
  const positions = [0, 0]
  for (let turn = 0; positions.some((pos, i) => pos < (streams[i] as Buffer).length); turn++) {
    const i = turn % 2
    const reader = readers[i] as FrameReader
    const source = streams[i] as Buffer
    if (positions[i] === source.length) continue
    const target = reader.nextBuffer()
    if (turn % 4 === 1) continue // offered room, read nothing
    const n = Math.min(source.length - (positions[i] as number), target.length, 1 + (next() % 3000))
    source.copy(target, 0, positions[i], (positions[i] as number) + n)
    positions[i] = (positions[i] as number) + n
    reader.received(n)
  }
  const expected = [bodies, [...bodies].reverse()]
  outs.forEach((out, r) => {
    assert.equal(out.errors.length, 0)
    assert.equal(out.frames.length, bodies.length)
    out.frames.forEach((f, i) => assert.ok(f.equals(expected[r]?.[i] as Buffer), `connection ${r}: frame ${i}`))
  })
})

test('a large frame is read straight into a buffer of its own size; small ones are copied out of the scratch buffer', () => {
  const reader = new FrameReader(2 << 20)
  const out = collecting(reader)
  const large = body(1 << 20, 9)
  const small = body(10, 10)
  const bytes = Buffer.concat([frame(small), frame(large)])
  // First read: the small frame and the first 65,000 bytes of the large one, as a client sending it at once gives.
  const first = 14 + 4 + 65_000
  deliver(reader, bytes.subarray(0, first), (room) => room)
  assert.equal(out.frames.length, 1)
  const next = reader.nextBuffer()
  assert.equal(next.length, bytes.length - first, 'the next read may take exactly the rest of the large frame')
  bytes.copy(next, 0, first)
  reader.received(next.length)
  const got = out.frames[1] as Buffer
  assert.ok(got.equals(large))
  assert.equal(got.buffer, next.buffer, 'the read went into the frame itself')
  assert.equal(got.byteLength, got.buffer.byteLength, 'the frame owns its memory exactly')
  // The small frame was copied out: reads into the scratch buffer since then have not changed it.
  deliver(reader, frame(body(3000, 11)), (room) => room)
  assert.ok((out.frames[0] as Buffer).equals(small))
})

test('memory follows the bytes received, not the size a peer announces', () => {
  const reader = new FrameReader(100 << 20)
  const out = collecting(reader)
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(100 << 20) // 100 MiB announced, 100 bytes sent
  deliver(reader, Buffer.concat([prefix, body(100, 1)]), (room) => room)
  assert.ok(reader.nextBuffer().length < 64 * 1024, `${reader.nextBuffer().length} bytes of room`)
  // More bytes arrive: the buffer doubles (each read may fill what is offered), and the frame completes intact.
  const rest = body((100 << 20) - 100, 2)
  deliver(reader, rest, (room) => room)
  assert.equal(out.frames.length, 1)
  assert.ok((out.frames[0] as Buffer).subarray(100).equals(rest))
})

test('a size above the limit or below zero is reported once, and nothing is read after it', () => {
  for (const size of [9, -5, 0x7fffffff]) {
    const reader = new FrameReader(8)
    const out = collecting(reader)
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(size)
    deliver(reader, Buffer.concat([frame(Buffer.from('ok')), prefix, frame(Buffer.from('later'))]), (room) => room)
    assert.deepEqual(
      out.frames.map((f) => f.toString()),
      ['ok'],
    )
    assert.equal(out.errors.length, 1)
    assert.ok(out.errors[0] instanceof FrameTooLargeError)
  }
  // exactly the limit is fine
  const reader = new FrameReader(8)
  const out = collecting(reader)
  deliver(reader, frame(Buffer.alloc(8)), (room) => room)
  assert.equal(out.frames.length, 1)
})

test('with a pool, a large frame given back (recycle) takes the next large frame', () => {
  const pool = new FramePool({ maxSpareBytes: 4 << 20 })
  const reader = new FrameReader(4 << 20, pool)
  const out = collecting(reader)
  const first = body(500_000, 1)
  deliver(reader, frame(first), (room) => room)
  const got = out.frames[0] as Buffer
  assert.ok(got.equals(first))
  reader.recycle(got)
  deliver(reader, frame(body(480_000, 2)), (room) => room)
  assert.equal((out.frames[1] as Buffer).buffer, got.buffer)
  assert.ok((out.frames[1] as Buffer).equals(body(480_000, 2)))
})
