import assert from 'node:assert/strict'
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { xorshift32 } from '@samsa/protocol/testing'
import { BackgroundWriteError } from './background-writer.ts'
import { diskDirectory, residentBytes } from './disk-test-helpers.ts'
import { NodeFileSystem } from './node-file-system.ts'
import { TailCachingFileSystem } from './tail-cache.ts'

const root = diskDirectory('samsa-background-writer-')
after(() => rmSync(root, { recursive: true, force: true }))

const RING = 4 * 1024 * 1024

function bytes(length: number, seed: number): Buffer {
  const next = xorshift32(seed)
  const out = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) out[i] = next() & 0xff
  return out
}

function readAt(file: { read(t: Buffer, p: number, l?: number): number }, position: number, length: number): Buffer {
  const target = Buffer.alloc(length)
  return target.subarray(0, file.read(target, position, length))
}

for (const directAppendMinBytes of [0, 64 * 1024]) {
  const how = directAppendMinBytes === 0 ? 'through the page cache' : 'with O_DIRECT for large ones'
  test(`background appends ${how}: in order, readable at once, through several laps of the ring`, async () => {
    const fs = new TailCachingFileSystem(new NodeFileSystem({ directAppendMinBytes }), {
      maxBytes: RING,
      backgroundWrites: true,
    })
    const path = join(root, `${directAppendMinBytes}.log`)
    const file = fs.open(path, { create: true })
    const next = xorshift32(7)
    const written: Buffer[] = []
    let size = 0
    // ~24 MiB in appends of 1 byte to 1 MiB: the 4 MiB ring wraps six times, evicting cached chunks as it goes.
    for (let i = 0; size < 24 * 1024 * 1024; i++) {
      const length = i % 7 === 0 ? 1 + (next() % 100) : 1 + (next() % (1 << 20))
      const data = bytes(length, i + 1)
      file.write(data, size, { background: true })
      written.push(data)
      size += length
      // The newest append reads back at once, from memory, while the worker may still be writing it.
      assert.ok(readAt(file, size - length, length).equals(data))
    }
    if (directAppendMinBytes > 0) {
      // Large appends went around the page cache (written in place from the ring), not through it after a refusal.
      // Checked before any read past the tail cache, which would fill the page cache.
      const resident = residentBytes(path)
      assert.ok(resident < 1024 * 1024, `${resident} bytes resident`)
    }
    // Reading the start goes past the cache: it waits for the worker first, so it sees the file as appended.
    const head = Buffer.concat(written).subarray(0, 3_000_000)
    assert.ok(readAt(file, 0, head.length).equals(head))
    await fs.written()
    file.close()
    fs.close()
    if (directAppendMinBytes === 0) assert.ok(residentBytes(path) > 20 * 1024 * 1024)
    assert.ok(readFileSync(path).equals(Buffer.concat(written)))
  })
}

test('a synchronous write, a truncation or a sync waits for the background appends before it', async () => {
  const fs = new TailCachingFileSystem(new NodeFileSystem({ directAppendMinBytes: 4096 }), {
    maxBytes: RING,
    backgroundWrites: true,
  })
  const path = join(root, 'mixed.log')
  const file = fs.open(path, { create: true })
  const a = bytes(500_000, 1)
  const b = bytes(3000, 2)
  file.write(a, 0, { background: true })
  file.write(b, a.length) // synchronous: must land after `a`, not before it
  file.truncate(a.length + 1000)
  file.write(bytes(600_000, 3), a.length + 1000, { background: true })
  await file.datasync()
  assert.equal(file.size(), a.length + 1000 + 600_000)
  file.close()
  fs.close()
  const content = readFileSync(path)
  assert.ok(content.subarray(0, a.length).equals(a))
  assert.ok(content.subarray(a.length, a.length + 1000).equals(b.subarray(0, 1000)))
  assert.ok(content.subarray(a.length + 1000).equals(bytes(600_000, 3)))
})

test('a small background append is written at once when nothing is queued, and queues behind a large one', async () => {
  const fs = new TailCachingFileSystem(new NodeFileSystem(), { maxBytes: RING, backgroundWrites: true })
  const path = join(root, 'small.log')
  const file = fs.open(path, { create: true })
  const small = bytes(100, 1)
  file.write(small, 0, { background: true })
  const writer = fs.writer()
  assert.ok(writer)
  assert.equal(writer.submitted, 0, 'not handed to the thread')
  assert.equal(readFileSync(path).length, 100)
  // The caller's buffer is not kept: overwriting it changes neither the file nor what the cache serves.
  const original = Buffer.from(small)
  small.fill(0)
  assert.ok(readAt(file, 0, 100).equals(original))
  // A large append goes to the thread; a small one right behind it queues (or, if the thread is already done,
  // is written at once): either way the file gets them in order.
  const large = bytes(500_000, 2)
  const after = bytes(100, 3)
  file.write(large, 100, { background: true })
  assert.equal(writer.submitted, 1)
  file.write(after, 500_100, { background: true })
  await fs.written()
  file.close()
  fs.close()
  assert.ok(readFileSync(path).equals(Buffer.concat([original, large, after])))
})

/** Blocks until the worker has taken every submitted append (pending counts appends the worker has not finished). */
function waitUntilWorkerIsDone(fs: TailCachingFileSystem): void {
  const writer = fs.writer()
  assert.ok(writer)
  const shared = new Int32Array(new SharedArrayBuffer(4))
  while (writer.pending !== 0) Atomics.wait(shared, 0, 0, 1)
}

// `askedLate`: the worker has failed (and finished) the write before written() is asked, so nothing is pending and
// only the shared failure flag tells; the worker's message may not have arrived yet.
for (const askedLate of [false, true]) {
  test(`a failed background write rejects written() (${askedLate ? 'asked after the worker failed it' : 'asked at once'}) and every later append, and nothing lands after it`, async () => {
    const fs = new TailCachingFileSystem(new NodeFileSystem(), { maxBytes: RING, backgroundWrites: true })
    const path = join(root, `failing-${askedLate}.log`)
    const file = fs.open(path, { create: true })
    // Appends of 20,000 bytes: small ones that find the writer idle are written at once, not by the thread.
    file.write(bytes(20_000, 1), 0, { background: true })
    await fs.written()
    // The descriptor is swapped for a read-only one under the writer, so its next write fails (EBADF). open() takes
    // the lowest free number, so open read-only files until one takes the number back.
    const fd = file.fd as number
    closeSync(fd)
    const readOnly: number[] = []
    while (readOnly.at(-1) !== fd && readOnly.length < 1000) readOnly.push(openSync(path, 'r'))
    assert.equal(readOnly.at(-1), fd)
    file.write(bytes(20_000, 2), 20_000, { background: true })
    if (askedLate) waitUntilWorkerIsDone(fs)
    await assert.rejects(fs.written(), (error: unknown) => error instanceof BackgroundWriteError)
    // Neither a large append (for the thread) nor a small one (which an idle writer would leave to the caller).
    assert.throws(() => file.write(bytes(20_000, 3), 40_000, { background: true }), BackgroundWriteError)
    assert.throws(() => file.write(bytes(10, 3), 40_000, { background: true }), BackgroundWriteError)
    assert.equal(readFileSync(path).length, 20_000)
    for (const d of readOnly) closeSync(d)
  })
}
