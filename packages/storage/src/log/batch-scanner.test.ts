import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { batchOf } from '../testing/batches.ts'
import { scanBatchLocations, scanBatches } from './batch-scanner.ts'

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

test('scanBatchLocations finds the same batches as a full scan while reading only headers', () => {
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
  let bytesRead = 0
  const counting = {
    ...file,
    read: (target: Buffer, position: number, length?: number) => {
      const n = file.read(target, position, length)
      bytesRead += n
      return n
    },
  }
  const headers = [...scanBatchLocations(counting, 0, size, 1024)]
  assert.deepEqual(headers, full)
  assert.equal(headers.length, 6)
  assert.ok(bytesRead < size / 4, `read ${bytesRead} of ${size} bytes`)
})

test('scanBatchLocations stops at a batch that runs past the end instead of yielding it', () => {
  const { file, size } = segmentFile()
  const all = [...scanBatchLocations(file, 0, size)]
  const last = all.at(-1) as (typeof all)[number]
  const cut = [...scanBatchLocations(file, 0, size - 1)]
  assert.deepEqual(cut, all.slice(0, -1))
  assert.deepEqual([...scanBatchLocations(file, last.position, last.position + 30)], [])
})
