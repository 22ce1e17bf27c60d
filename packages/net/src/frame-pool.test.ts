import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FramePool } from './frame-pool.ts'

test('a frame given back is the memory of the next frame of a similar size', () => {
  const pool = new FramePool({ maxSpareBytes: 8 << 20 })
  const first = pool.take(1_000_000)
  assert.equal(first.length, 1_000_000)
  pool.recycle(first)
  assert.ok(pool.spareBytes >= 1_000_000)
  const second = pool.take(1_040_000)
  assert.equal(second.buffer, first.buffer, 'the same memory again')
  assert.equal(second.length, 1_040_000)
  assert.equal(pool.spareBytes, 0)
})

test('spare memory is not spent on a frame of less than half its size, nor on a larger one', () => {
  const pool = new FramePool({ maxSpareBytes: 8 << 20 })
  const big = pool.take(2_000_000)
  pool.recycle(big)
  assert.notEqual(pool.take(100_000).buffer, big.buffer)
  assert.notEqual(pool.take(3_000_000).buffer, big.buffer)
  assert.equal(pool.take(1_500_000).buffer, big.buffer)
})

test('only frames the pool handed out come back, each once; spares stay under the cap', () => {
  const pool = new FramePool({ maxSpareBytes: 2 << 20 })
  pool.recycle(Buffer.alloc(1 << 20)) // not the pool's
  assert.equal(pool.spareBytes, 0)
  const a = pool.take(1 << 20)
  const b = pool.take(1 << 20)
  const c = pool.take(1 << 20)
  pool.recycle(a)
  pool.recycle(a) // twice: ignored, so two frames can never share memory
  assert.equal(pool.spareBytes, 1 << 20)
  pool.recycle(b)
  pool.recycle(c) // over the cap: left to the GC
  assert.equal(pool.spareBytes, 2 << 20)
  const d = pool.take(1 << 20)
  const e = pool.take(1 << 20)
  assert.notEqual(d.buffer, e.buffer)
})

test('with poison, a recycled frame is overwritten at once', () => {
  const pool = new FramePool({ maxSpareBytes: 8 << 20, poison: true })
  const frame = pool.take(100_000)
  frame.fill(7)
  const view = frame.subarray(10, 20) // a view somebody wrongly kept
  pool.recycle(frame)
  assert.ok(view.every((byte) => byte === 0xdb))
})
