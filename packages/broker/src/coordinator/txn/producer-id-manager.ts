// Producer ids for InitProducerId (Kafka's ProducerIdManager). Ids must never repeat, not even across restarts:
// a reused id would make partitions take a new producer's batches for duplicates or sequence gaps of an old one.
// So, as Kafka does (KIP-730's AllocateProducerIds; ZooKeeper's /latest_producer_id_block before it), ids are
// handed out from blocks of 1000, and a block is recorded durably before its first id is used. A restart starts
// at the next block, skipping whatever the old block had left: wasting ids is safe, repeating them is not.
//
// The record is a small file next to the metadata file (`__samsa_producer_id_block` in the same log dir), in the
// JSON of Kafka's ZooKeeper block: {"version":1,"broker":N,"block_start":"S","block_end":"E"}. It is a file of its
// own rather than part of the MetadataStore because the store's interface is shared with the coming etcd store
// (where a block is one compare-and-set on a counter) and is not this work's to change; replacing the file is
// atomic (temporary sibling, fdatasync, rename, directory fsync), and it is written once per 1000 ids.

import { posix } from 'node:path'
import { writeFileDurablySync, type FileSystem } from '@samsa/storage'

export const PRODUCER_ID_BLOCK_FILE = '__samsa_producer_id_block'
/** Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
export const PRODUCER_ID_BLOCK_SIZE = 1000n

interface PersistedBlock {
  version: 1
  broker: number
  block_start: string
  block_end: string
}

export class ProducerIdManager {
  readonly #fs: FileSystem
  readonly #path: string
  readonly #nodeId: number
  /** The next id to hand out, and the last id of the current block (next > end: no block yet). */
  #next = 0n
  #blockEnd = -1n
  /** Where the next block starts: one past the last block ever recorded. */
  #nextBlockStart: bigint

  private constructor(fs: FileSystem, path: string, nodeId: number, nextBlockStart: bigint) {
    this.#fs = fs
    this.#path = path
    this.#nodeId = nodeId
    this.#nextBlockStart = nextBlockStart
  }

  /** Reads the last recorded block from `dir`; ids continue after it. */
  static open(fs: FileSystem, dir: string, nodeId: number): ProducerIdManager {
    const path = posix.join(dir, PRODUCER_ID_BLOCK_FILE)
    let nextBlockStart = 0n
    if (fs.exists(path)) {
      const block = JSON.parse(fs.readFile(path).toString('utf8')) as PersistedBlock
      if (block.version !== 1) throw new Error(`${path}: unknown version ${String(block.version)}`)
      nextBlockStart = BigInt(block.block_end) + 1n
    }
    return new ProducerIdManager(fs, path, nodeId, nextBlockStart)
  }

  generateProducerId(): bigint {
    if (this.#next > this.#blockEnd) this.#allocateBlock()
    return this.#next++
  }

  #allocateBlock(): void {
    const start = this.#nextBlockStart
    const end = start + PRODUCER_ID_BLOCK_SIZE - 1n
    const block: PersistedBlock = {
      version: 1,
      broker: this.#nodeId,
      block_start: start.toString(),
      block_end: end.toString(),
    }
    // Durable before any id of the block leaves the broker.
    writeFileDurablySync(this.#fs, this.#path, Buffer.from(JSON.stringify(block)))
    this.#nextBlockStart = end + 1n
    this.#next = start
    this.#blockEnd = end
  }
}
