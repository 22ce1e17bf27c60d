import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { batchOf } from '../testing/batches.ts'
import { findBatchLocation, scanBatches } from './batch-scanner.ts'

// Batches of 1 to 3,000 records, some far larger than the 1 KiB block used below, written back to back.
function segmentFile() {
  const fs = new MemoryFileSystem()
  fs.mkdirp('/d')
  const file = fs.open('/d/0.log', { create: true })
  let position = 0
  let offset = 0n
  for (const count of [1, 3000, 7, 1, 1200, 2]) {
    const batch = batchOf(Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(40) })))
    batch.writeBigInt64BE(offset, 0)
    file.write(batch, position)
    position += batch.length
    offset += BigInt(count)
  }
  return { file, size: position }
}

/** The file with every read's length recorded. */
function counted(file: ReturnType<typeof segmentFile>['file']) {
  const reads: number[] = []
  return {
    reads,
    file: {
      ...file,
      read: (target: Buffer, position: number, length?: number) => {
        const n = file.read(target, position, length)
        reads.push(n)
        return n
      },
    },
  }
}

test('findBatchLocation finds the batch holding any offset from headers alone', () => {
  const { file, size } = segmentFile()
  // A scanned view is valid only until the scan moves on, so each is read inside the loop.
  const full = []
  for (const s of scanBatches(file, 0, size)) {
    full.push({
      position: s.position,
      size: s.view?.byteLength,
      baseOffset: s.view?.baseOffset,
      lastOffset: s.view?.lastOffset,
    })
  }
  assert.equal(full.length, 6)
  const { reads, file: counting } = counted(file)
  for (const batch of full) {
    for (const offset of [batch.baseOffset as bigint, batch.lastOffset as bigint]) {
      assert.deepEqual(findBatchLocation(counting, 0, size, offset), batch, `offset ${offset}`)
    }
  }
  const bytesRead = reads.reduce((a, b) => a + b, 0)
  assert.ok(bytesRead < size, `read ${bytesRead} bytes for 12 lookups in a ${size}-byte file`)
  assert.equal(findBatchLocation(file, 0, size, (full.at(-1)?.lastOffset as bigint) + 1n), null, 'past the last batch')
})

test('findBatchLocation reads 4 KiB when the index points at the batch, more only along runs of small batches', () => {
  const { file, size } = segmentFile()
  const first = findBatchLocation(file, 0, size, 0n)
  assert.ok(first)
  const { reads, file: counting } = counted(file)
  // The 3,000-record batch after the first is far larger than 4 KiB: one small read finds it.
  assert.equal(findBatchLocation(counting, first.position + first.size, size, 1n)?.baseOffset, 1n)
  assert.deepEqual(reads, [4096])
  // 500 one-record batches back to back: the reads grow instead of one per 4 KiB.
  const fs = new MemoryFileSystem()
  fs.mkdirp('/s')
  const small = fs.open('/s/0.log', { create: true })
  let position = 0
  for (let offset = 0n; offset < 500n; offset++) {
    const batch = batchOf([{ key: `k${offset}`, value: 'v'.repeat(40) }])
    batch.writeBigInt64BE(offset, 0)
    small.write(batch, position)
    position += batch.length
  }
  const many = counted(small)
  assert.equal(findBatchLocation(many.file, 0, position, 499n)?.baseOffset, 499n)
  assert.ok(many.reads.length <= 3, `reads ${many.reads.join(', ')} for ${position} bytes`)
})

test('findBatchLocation stops at a batch that runs past the end instead of returning it', () => {
  const { file, size } = segmentFile()
  const last = findBatchLocation(file, 0, size, 1n + 3000n + 7n + 1n + 1200n) // the last batch's base offset
  assert.ok(last)
  assert.equal(last.position + last.size, size)
  assert.equal(findBatchLocation(file, 0, size - 1, last.baseOffset), null)
  assert.equal(findBatchLocation(file, last.position, last.position + 30, last.baseOffset), null)
})
