// Kafka's producer state snapshot file, `<20-digit offset>.snapshot` in the partition directory (ProducerStateManager,
// the ProducerSnapshot message version 1): the state of every producer as of that offset, so that start-up reads
// the log only from the latest snapshot on instead of from the start (KIP-98).
//
//   version: int16 (1) · crc: uint32, CRC-32C of everything after it · entries: int32 count, then per producer
//   producerId int64 · producerEpoch int16 · lastSequence int32 · lastOffset int64 · offsetDelta int32 ·
//   timestamp int64 · coordinatorEpoch int32 · currentTxnFirstOffset int64 (-1 = none)
//
// Only each producer's LAST batch is kept, as in Kafka: after a restart a retry of that batch is still recognised;
// older batches of the last five are recognised only if they lie after the snapshot (the log is replayed from it).

import { crc32cRange } from '@samsa/protocol'
import type { ProducerStateEntry } from '../api.ts'

export const PRODUCER_SNAPSHOT_SUFFIX = '.snapshot'
export const PRODUCER_SNAPSHOT_VERSION = 1
const CRC_OFFSET = 2
const ENTRIES_OFFSET = CRC_OFFSET + 4
const ENTRY_BYTES = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8

export class CorruptSnapshotError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CorruptSnapshotError'
  }
}

export function encodeProducerSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries]
  const buffer = Buffer.alloc(ENTRIES_OFFSET + 4 + list.length * ENTRY_BYTES)
  buffer.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0)
  let at = ENTRIES_OFFSET
  buffer.writeInt32BE(list.length, at)
  at += 4
  for (const entry of list) {
    const last = entry.batches[entry.batches.length - 1]
    buffer.writeBigInt64BE(entry.producerId, at)
    buffer.writeInt16BE(entry.producerEpoch, at + 8)
    buffer.writeInt32BE(last?.lastSeq ?? -1, at + 10)
    buffer.writeBigInt64BE(last?.lastOffset ?? -1n, at + 14)
    buffer.writeInt32BE(last === undefined ? 0 : Number(last.lastOffset - last.firstOffset), at + 22)
    buffer.writeBigInt64BE(entry.lastTimestamp, at + 26)
    buffer.writeInt32BE(entry.coordinatorEpoch, at + 34)
    buffer.writeBigInt64BE(entry.currentTxnFirstOffset, at + 38)
    at += ENTRY_BYTES
  }
  buffer.writeUInt32BE(crc32cRange(buffer, ENTRIES_OFFSET, buffer.length), CRC_OFFSET)
  return buffer
}

export function decodeProducerSnapshot(buffer: Buffer): ProducerStateEntry[] {
  if (buffer.length < ENTRIES_OFFSET + 4) throw new CorruptSnapshotError(`snapshot of ${buffer.length} bytes is short`)
  const version = buffer.readInt16BE(0)
  if (version !== PRODUCER_SNAPSHOT_VERSION) {
    throw new CorruptSnapshotError(`snapshot contained an unknown file version ${version}`)
  }
  const storedCrc = buffer.readUInt32BE(CRC_OFFSET)
  const computedCrc = crc32cRange(buffer, ENTRIES_OFFSET, buffer.length)
  if (storedCrc !== computedCrc) {
    throw new CorruptSnapshotError(`snapshot is corrupt: stored crc ${storedCrc}, computed crc ${computedCrc}`)
  }
  const count = buffer.readInt32BE(ENTRIES_OFFSET)
  if (count < 0 || buffer.length !== ENTRIES_OFFSET + 4 + count * ENTRY_BYTES) {
    throw new CorruptSnapshotError(`snapshot of ${buffer.length} bytes cannot hold ${count} entries`)
  }
  const entries: ProducerStateEntry[] = []
  for (let i = 0, at = ENTRIES_OFFSET + 4; i < count; i++, at += ENTRY_BYTES) {
    const lastSeq = buffer.readInt32BE(at + 10)
    const lastOffset = buffer.readBigInt64BE(at + 14)
    const offsetDelta = buffer.readInt32BE(at + 22)
    const timestamp = buffer.readBigInt64BE(at + 26)
    entries.push({
      producerId: buffer.readBigInt64BE(at),
      producerEpoch: buffer.readInt16BE(at + 8),
      batches:
        lastOffset >= 0n
          ? [
              {
                firstSeq: decrementSequence(lastSeq, offsetDelta),
                lastSeq,
                firstOffset: lastOffset - BigInt(offsetDelta),
                lastOffset,
                timestamp,
              },
            ]
          : [],
      lastTimestamp: timestamp,
      coordinatorEpoch: buffer.readInt32BE(at + 34),
      currentTxnFirstOffset: buffer.readBigInt64BE(at + 38),
    })
  }
  return entries
}

/** Sequence numbers wrap from Int32 max to 0 (DefaultRecordBatch.incrementSequence). */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > 0x7fffffff - increment ? increment - (0x7fffffff - sequence) - 1 : sequence + increment
}

export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? 0x7fffffff - (decrement - sequence) + 1 : sequence - decrement
}
