import assert from 'node:assert/strict'
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { xorshift32 } from '@samsa/protocol/testing'
import { alignedMemory } from './aligned-memory.ts'
import { appendDirect, appendDirectInPlace, DIRECT_ALIGN } from './direct-append.ts'
import { diskDirectory, residentBytes } from './disk-test-helpers.ts'
import { NodeFileSystem } from './node-file-system.ts'

const root = diskDirectory('samsa-direct-append-')
after(() => rmSync(root, { recursive: true, force: true }))

function bytes(length: number, seed: number): Buffer {
  const next = xorshift32(seed)
  const out = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) out[i] = next() & 0xff
  return out
}

test('appends of every size, direct or buffered, leave exactly their bytes in order', () => {
  const fs = new NodeFileSystem({ directAppendMinBytes: 64 * 1024 })
  const path = join(root, '00000000000000000000.log')
  const file = fs.open(path, { create: true })
  // Odd sizes put every append at an unaligned position; the 9 MiB ones span several staging buffers.
  const sizes = [1, 70_000, 4095, 300_001, 1, DIRECT_ALIGN, 65_536, 9 * 1024 * 1024 + 7, 17, 1_000_000, 3]
  const expected: Buffer[] = []
  let size = 0
  sizes.forEach((length, i) => {
    const data = bytes(length, i + 1)
    file.write(data, size)
    size += length
    expected.push(data)
    assert.equal(file.size(), size)
  })
  const whole = Buffer.concat(expected)
  const readBack = Buffer.alloc(size)
  assert.equal(file.read(readBack, 0), size)
  assert.ok(readBack.equals(whole))
  file.close()
  assert.ok(readFileSync(path).equals(whole), 'the file holds no padding past the last byte')
  const large = sizes.filter((s) => s >= 64 * 1024).reduce((a, b) => a + b, 0)
  assert.deepEqual(fs.directAppends, { bytes: large, fallbacks: 0 })
})

test('direct appends leave almost nothing of themselves in the page cache', () => {
  const fs = new NodeFileSystem({ directAppendMinBytes: 64 * 1024 })
  const path = join(root, '00000000000000000100.log')
  const file = fs.open(path, { create: true })
  let size = 0
  for (let i = 0; i < 16; i++) {
    const data = bytes(1_000_003, i)
    file.write(data, size)
    size += data.length
  }
  // Only the partial block left at the end of each append went through the page cache, and a later direct write
  // dropped it again: at most the last one is resident.
  assert.ok(residentBytes(path) <= 2 * DIRECT_ALIGN, `${residentBytes(path)} bytes resident`)
  file.close()
  const buffered = new NodeFileSystem()
  const path2 = join(root, '00000000000000000200.log')
  const file2 = buffered.open(path2, { create: true })
  file2.write(bytes(16 * 1_000_003, 99), 0)
  assert.ok(residentBytes(path2) > 15 * 1_000_000, 'a buffered write of the same size stays in the page cache')
  file2.close()
})

test('in place: bytes at a ring offset congruent to the file position go direct with no staging copy', () => {
  const fs = new NodeFileSystem({ directAppendMinBytes: 1 })
  const path = join(root, 'in-place.log')
  const file = fs.open(path, { create: true })
  const fd = file.fd as number
  const directFd = file.directFdFor?.(1 << 20) as number
  assert.ok(directFd >= 0)
  // Page-aligned memory, as the background writer's ring is.
  const memory = alignedMemory(4 << 20)
  const expected: Buffer[] = []
  let size = 0
  for (const [i, length] of [1, 5000, 4095, 1_000_003, 4096, 70_001, 3, 2_000_000].entries()) {
    const data = bytes(length, i + 1)
    const head = size % DIRECT_ALIGN
    // Anywhere in the memory, as long as the offset matches the position modulo the block and has room before it.
    const offset = DIRECT_ALIGN * (1 + (i % 3)) + head
    data.copy(memory, offset)
    memory.fill(0xee, offset - head, offset) // the room before the bytes is overwritten with the file's bytes
    assert.equal(appendDirectInPlace(fd, directFd, memory, offset, length, size), true)
    size += length
    expected.push(data)
  }
  assert.ok(residentBytes(path) <= 2 * DIRECT_ALIGN, `${residentBytes(path)} bytes resident`)
  assert.ok(readFileSync(path).equals(Buffer.concat(expected)))
  assert.throws(() => appendDirectInPlace(fd, directFd, memory, DIRECT_ALIGN + 1, 10, size), RangeError)
  file.close()
})

test('a refused direct write (EINVAL) writes nothing and says so; other errors are thrown', () => {
  const path = join(root, 'refused.log')
  const fd = openSync(path, 'w+')
  const einval = Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' })
  const refuse = (): void => {
    throw einval
  }
  assert.equal(appendDirect(fd, fd, bytes(100_000, 1), 0, refuse), false)
  const eio = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })
  assert.throws(
    () =>
      appendDirect(fd, fd, bytes(100_000, 1), 0, () => {
        throw eio
      }),
    /EIO/,
  )
  closeSync(fd)
  assert.equal(readFileSync(path).length, 0)
})

test('directAppendMinBytes must be a non-negative integer', () => {
  assert.throws(() => new NodeFileSystem({ directAppendMinBytes: -1 }), /directAppendMinBytes/)
  assert.throws(() => new NodeFileSystem({ directAppendMinBytes: 1.5 }), /directAppendMinBytes/)
})
