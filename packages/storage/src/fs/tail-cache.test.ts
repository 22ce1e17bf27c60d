import assert from 'node:assert/strict'
import { test } from 'node:test'
import { xorshift32 } from '@samsa/protocol/testing'
import type { FileHandle } from './file-system.ts'
import { MemoryFileSystem } from './memory-file-system.ts'
import { TailCachingFileSystem } from './tail-cache.ts'

/** A memory file system that counts the reads that reach it. */
function countingFs() {
  const inner = new MemoryFileSystem()
  const counts = { reads: 0 }
  const open = inner.open.bind(inner)
  inner.open = (path, options) => {
    const handle = open(path, options)
    const read = handle.read.bind(handle)
    handle.read = (target, position, length) => {
      counts.reads++
      return read(target, position, length)
    }
    return handle
  }
  inner.mkdirp('/d')
  return { inner, counts }
}

function readAt(file: FileHandle, position: number, length: number): Buffer {
  const target = Buffer.alloc(length)
  return target.subarray(0, file.read(target, position, length))
}

test('reads of the appended tail come from memory and match the file byte for byte', () => {
  const { inner, counts } = countingFs()
  const fs = new TailCachingFileSystem(inner, { maxBytes: 1 << 20 })
  const file = fs.open('/d/00000000000000000000.log', { create: true })
  const plain = inner.open('/d/00000000000000000000.log')
  let size = 0
  for (let i = 0; i < 50; i++) {
    const data = Buffer.alloc(1000 + i, i)
    file.write(data, size)
    size += data.length
  }
  counts.reads = 0
  for (const [position, length] of [
    [0, 100],
    [999, 3],
    [10_000, 20_000],
    [size - 10, 100],
    [size, 10],
  ] as const) {
    assert.deepEqual(readAt(file, position, length), readAt(plain, position, length))
  }
  // Every read above but the two through `plain` and the one at the end of the file was served from memory.
  assert.equal(counts.reads, 5 + 1)
  assert.equal(fs.cachedBytes, size)
  // Index files and others are not cached.
  const index = fs.open('/d/00000000000000000000.index', { create: true })
  index.write(Buffer.alloc(8), 0)
  assert.equal(fs.cachedBytes, size)
})

test('random appends, truncations and reads across files under a small budget agree with the plain file', () => {
  const { inner } = countingFs()
  const budget = 64 * 1024
  const fs = new TailCachingFileSystem(inner, { maxBytes: budget })
  const next = xorshift32(848)
  const files = [0, 1, 2].map((n) => {
    const path = `/d/${String(n).padStart(20, '0')}.log`
    return { cached: fs.open(path, { create: true }), plain: inner.open(path), size: 0 }
  })
  for (let step = 0; step < 3000; step++) {
    const f = files[next() % files.length] as (typeof files)[number]
    const action = next() % 10
    if (action < 5) {
      const data = Buffer.alloc(1 + (next() % 9000), next() & 0xff)
      f.cached.write(data, f.size)
      f.size += data.length
    } else if (action === 5 && f.size > 0) {
      f.size = next() % f.size
      f.cached.truncate(f.size)
    } else if (action === 6 && f.size > 0) {
      const position = next() % f.size
      f.cached.write(Buffer.alloc(Math.min(100, f.size - position), 0xee), position) // a write into the middle
    } else {
      const position = next() % (f.size + 1)
      const length = 1 + (next() % 20_000)
      assert.deepEqual(readAt(f.cached, position, length), readAt(f.plain, position, length), `step ${step}`)
    }
    assert.ok(fs.cachedBytes <= budget && fs.cachedBytes >= 0, `cached ${fs.cachedBytes} at step ${step}`)
  }
  for (const f of files) f.cached.close()
  assert.equal(fs.cachedBytes, 0)
})
