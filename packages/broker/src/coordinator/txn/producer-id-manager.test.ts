import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryFileSystem } from '@samsa/storage'
import { PRODUCER_ID_BLOCK_FILE, ProducerIdManager } from './producer-id-manager.ts'

const DIR = '/kafka/logs'

test('ids are consecutive within a block and a restart continues at the next block', () => {
  const fs = new MemoryFileSystem()
  fs.mkdirp(DIR)
  const first = ProducerIdManager.open(fs, DIR, 1)
  assert.deepEqual([first.generateProducerId(), first.generateProducerId()], [0n, 1n])
  assert.deepEqual(JSON.parse(fs.readFile(`${DIR}/${PRODUCER_ID_BLOCK_FILE}`).toString()), {
    version: 1,
    broker: 1,
    block_start: '0',
    block_end: '999',
  })
  for (let i = 2; i < 1000; i++) first.generateProducerId()
  assert.equal(first.generateProducerId(), 1000n)
  const restarted = ProducerIdManager.open(fs, DIR, 1)
  assert.equal(restarted.generateProducerId(), 2000n)
})

test('a block is durable before its first id is handed out: a crash never brings an id back', () => {
  const fs = new MemoryFileSystem()
  fs.mkdirp(DIR)
  const manager = ProducerIdManager.open(fs, DIR, 1)
  const handedOut = manager.generateProducerId()
  const afterCrash = ProducerIdManager.open(fs.crash(), DIR, 1)
  assert.ok(afterCrash.generateProducerId() > handedOut)
})
