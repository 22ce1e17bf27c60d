// Kafka's ProducerStateManager for one partition: for every producer id its epoch and its last five data batches
// (KIP-98), kept in step with the log by every append and truncation, and snapshotted to `<offset>.snapshot` at
// segment roll and on close. Start-up loads the latest snapshot not beyond the log end and replays the batch
// headers after it, so duplicate detection survives a restart. The rules about which append is acceptable live
// with the broker (it decides what a client may write); this class only records what the log holds.
//
// Transactions: a producer's first transactional batch opens its transaction (currentTxnFirstOffset); its
// COMMIT/ABORT marker completes it and sets its coordinatorEpoch. Open transactions are kept in offset order, so
// the first unstable offset (the LSO's bound) is the first of them, or of the completed ones whose marker the high
// watermark has not passed yet (Kafka's ongoingTxns and unreplicatedTxns). Completing an aborted transaction
// yields its `.txnindex` entry, with the LSO of that moment: the oldest OTHER open transaction, else marker + 1.

import { posix } from 'node:path'
import type { BatchHeader, ProducerBatchMetadata, ProducerStateEntry, ProducerStateView } from '../api.ts'
import { writeFileDurablySync } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'
import { baseOffsetOf, offsetFileName } from '../log/file-names.ts'
import type { AbortedTxn } from '../log/transaction-index.ts'
import {
  CorruptSnapshotError,
  PRODUCER_SNAPSHOT_SUFFIX,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  incrementSequence,
} from './producer-snapshot.ts'

/** ProducerStateEntry.NUM_BATCHES_TO_RETAIN: what max.in.flight.requests.per.connection ≤ 5 needs. */
export const NUM_BATCHES_TO_RETAIN = 5
/** producer.id.expiration.ms default (KIP-854 made it separate from transactional.id.expiration.ms). */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000

interface MutableEntry extends ProducerStateEntry {
  batches: ProducerBatchMetadata[]
}

export interface LoadProducerStateOptions {
  fs: FileSystem
  dir: string
  logStartOffset: bigint
  /**
   * The oldest segment's base offset, default logStartOffset: its batches still exist even below the log start
   * (DeleteRecords moves it inside a segment), so replay may start there; snapshots below it are stale.
   */
  firstBatchOffset?: bigint
  logEndOffset: bigint
  /** Batch headers from an offset to the log end (the log's batchHeaders). */
  headersFrom: (offset: bigint) => Iterable<BatchHeader>
  /**
   * Replay from a snapshot at or below this offset (not the latest one): recovery rebuilds the transaction
   * indexes of the segments from here on, which needs every marker after it replayed. Default: the log end.
   */
  replayFromAtMost?: bigint
  /** Called for every aborted transaction the replay completes (the marker's segment indexes it). */
  onAbortedTxn?: (txn: AbortedTxn) => void
  nowMs: number
  producerIdExpirationMs: number
  warn: (message: string) => void
}

export class ProducerStateManager implements ProducerStateView {
  readonly #fs: FileSystem
  readonly #dir: string
  readonly producerIdExpirationMs: number
  readonly #producers = new Map<bigint, MutableEntry>()
  /** The offset up to which the state reflects the log (the next offset a batch would take). */
  #mapEndOffset = 0n
  /** Open transactions: producer id → first offset, in insertion order, which is offset order. */
  readonly #ongoingTxns = new Map<bigint, bigint>()
  /** Completed transactions whose marker is not yet below the high watermark (still unstable for consumers). */
  #unreplicatedTxns: Array<{ firstOffset: bigint; lastOffset: bigint }> = []

  constructor(fs: FileSystem, dir: string, producerIdExpirationMs = DEFAULT_PRODUCER_ID_EXPIRATION_MS) {
    this.#fs = fs
    this.#dir = dir
    this.producerIdExpirationMs = producerIdExpirationMs
  }

  /** Builds the state at start-up: the latest usable snapshot, then the batches after it. */
  static load(options: LoadProducerStateOptions): ProducerStateManager {
    const manager = new ProducerStateManager(options.fs, options.dir, options.producerIdExpirationMs)
    manager.reload(options)
    return manager
  }

  get mapEndOffset(): bigint {
    return this.#mapEndOffset
  }

  get(producerId: bigint): ProducerStateEntry | undefined {
    return this.#producers.get(producerId)
  }

  activeProducers(): Iterable<ProducerStateEntry> {
    return this.#producers.values()
  }

  /**
   * The first offset of the oldest transaction that is open, or completed with its marker not yet below the high
   * watermark (Kafka's firstUnstableOffset); null if there is none.
   */
  get firstUnstableOffset(): bigint | null {
    let first: bigint | null = null
    for (const firstOffset of this.#ongoingTxns.values()) {
      first = firstOffset
      break
    }
    for (const txn of this.#unreplicatedTxns) if (first === null || txn.firstOffset < first) first = txn.firstOffset
    return first
  }

  /** The first offset of the oldest open transaction, or null (Kafka's firstUndecidedOffset). */
  get firstUndecidedOffset(): bigint | null {
    for (const firstOffset of this.#ongoingTxns.values()) return firstOffset
    return null
  }

  /** Completed transactions whose marker is now below the high watermark stop holding the LSO back. */
  onHighWatermarkUpdated(highWatermark: bigint): void {
    if (this.#unreplicatedTxns.length === 0) return
    this.#unreplicatedTxns = this.#unreplicatedTxns.filter((txn) => txn.lastOffset >= highWatermark)
  }

  /**
   * Records an appended batch (offsets already assigned). Batches without a producer id change nothing. Returns
   * the `.txnindex` entry when the batch is an ABORT marker that completes a transaction with data, else null.
   */
  update(header: BatchHeader): AbortedTxn | null {
    if (header.lastOffset + 1n > this.#mapEndOffset) this.#mapEndOffset = header.lastOffset + 1n
    if (header.producerId < 0n) return null
    let entry = this.#producers.get(header.producerId)
    if (entry === undefined) {
      entry = {
        producerId: header.producerId,
        producerEpoch: header.producerEpoch,
        batches: [],
        lastTimestamp: -1n,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1n,
      }
      this.#producers.set(header.producerId, entry)
    }
    // A new epoch starts a new sequence space: the old epoch's batches can no longer be duplicates.
    if (entry.producerEpoch !== header.producerEpoch) {
      entry.producerEpoch = header.producerEpoch
      entry.batches = []
    }
    entry.lastTimestamp = header.maxTimestamp
    if (header.isControlBatch) return this.#completeTxn(entry, header)
    if (header.isTransactional && entry.currentTxnFirstOffset < 0n) {
      entry.currentTxnFirstOffset = header.baseOffset
      this.#ongoingTxns.set(entry.producerId, header.baseOffset)
    }
    if (header.baseSequence < 0) return null
    if (entry.batches.length === NUM_BATCHES_TO_RETAIN) entry.batches.shift()
    entry.batches.push({
      firstSeq: header.baseSequence,
      lastSeq: incrementSequence(header.baseSequence, Number(header.lastOffset - header.baseOffset)),
      firstOffset: header.baseOffset,
      lastOffset: header.lastOffset,
      timestamp: header.maxTimestamp,
    })
    return null
  }

  /**
   * A COMMIT/ABORT marker ends the producer's transaction and carries the coordinator epoch. A marker of a
   * transaction without data (Kafka emits no CompletedTxn for it) changes nothing else. Other control batches
   * (unknown types) leave the transaction as it is.
   */
  #completeTxn(entry: MutableEntry, header: BatchHeader): AbortedTxn | null {
    const marker = header.marker
    if (marker === undefined) return null
    entry.coordinatorEpoch = marker.coordinatorEpoch
    const firstOffset = entry.currentTxnFirstOffset
    if (firstOffset < 0n) return null
    entry.currentTxnFirstOffset = -1n
    // The LSO right after the marker: the oldest other open transaction (this one is still in the map, first or not).
    let lastStableOffset = header.lastOffset + 1n
    for (const [producerId, otherFirstOffset] of this.#ongoingTxns) {
      if (producerId === entry.producerId) continue
      lastStableOffset = otherFirstOffset
      break
    }
    this.#ongoingTxns.delete(entry.producerId)
    this.#unreplicatedTxns.push({ firstOffset, lastOffset: header.lastOffset })
    if (marker.type !== 'ABORT') return null
    return { producerId: entry.producerId, firstOffset, lastOffset: header.lastOffset, lastStableOffset }
  }

  /** Moves the map end offset without a batch (a roll to an offset past a gap). */
  updateMapEndOffset(offset: bigint): void {
    this.#mapEndOffset = offset
  }

  /**
   * Forgets producers whose last write is older than producer.id.expiration.ms and that have no open transaction
   * (Kafka's removeExpiredProducers): their next write starts over as if new.
   */
  removeExpiredProducers(nowMs: number): number {
    let removed = 0
    for (const [producerId, entry] of this.#producers) {
      if (entry.currentTxnFirstOffset < 0n && nowMs - Number(entry.lastTimestamp) >= this.producerIdExpirationMs) {
        this.#producers.delete(producerId)
        removed++
      }
    }
    return removed
  }

  /** Writes `<mapEndOffset>.snapshot` durably (at segment roll and on close). */
  takeSnapshot(): void {
    const path = this.#snapshotPath(this.#mapEndOffset)
    writeFileDurablySync(this.#fs, path, encodeProducerSnapshot(this.#producers.values()))
  }

  /** Snapshot offsets on disk, ascending. */
  snapshotOffsets(): bigint[] {
    return this.#fs
      .list(this.#dir)
      .map((name) => baseOffsetOf(name, PRODUCER_SNAPSHOT_SUFFIX))
      .filter((offset): offset is bigint => offset !== null)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** Removes the snapshot a deleted segment started with (Kafka deletes them together). */
  deleteSnapshot(offset: bigint): void {
    this.#fs.remove(this.#snapshotPath(offset))
  }

  /**
   * Rebuilds the state for a log now holding [logStartOffset, logEndOffset) (start-up and truncation): snapshots
   * beyond the log end or below the oldest segment describe records that are gone and are removed; the latest
   * remaining one that reads back is loaded, and the batches after it are replayed. Without one, replay starts at
   * the oldest segment, below the log start if DeleteRecords moved it there: a transaction begun below the log
   * start must still end, and a snapshot from before a marker below the log start would never see it.
   */
  reload(options: Omit<LoadProducerStateOptions, 'fs' | 'dir' | 'producerIdExpirationMs'>): void {
    this.#producers.clear()
    this.#ongoingTxns.clear()
    this.#unreplicatedTxns = []
    const oldest = options.firstBatchOffset ?? options.logStartOffset
    const offsets = this.snapshotOffsets().filter((offset) => {
      const isStale = offset > options.logEndOffset || offset < oldest
      if (isStale) this.deleteSnapshot(offset)
      return !isStale
    })
    let replayFrom = oldest
    const limit = options.replayFromAtMost ?? options.logEndOffset
    const usable = offsets.filter((offset) => offset <= limit).reverse()
    for (const offset of usable) {
      try {
        const entries = decodeProducerSnapshot(this.#fs.readFile(this.#snapshotPath(offset)))
        for (const entry of entries) this.#producers.set(entry.producerId, { ...entry, batches: [...entry.batches] })
        // Open transactions, oldest first (the map keeps insertion order).
        const open = entries.filter((entry) => entry.currentTxnFirstOffset >= 0n)
        open.sort((a, b) => (a.currentTxnFirstOffset < b.currentTxnFirstOffset ? -1 : 1))
        for (const entry of open) this.#ongoingTxns.set(entry.producerId, entry.currentTxnFirstOffset)
        replayFrom = offset
        break
      } catch (error) {
        if (!(error instanceof CorruptSnapshotError)) throw error
        options.warn(`deleting producer snapshot ${offsetFileName(offset, PRODUCER_SNAPSHOT_SUFFIX)}: ${error.message}`)
        this.deleteSnapshot(offset)
      }
    }
    this.#mapEndOffset = replayFrom
    if (replayFrom < options.logEndOffset) {
      const onAbortedTxn = options.onAbortedTxn
      for (const header of options.headersFrom(replayFrom)) {
        const aborted = this.update(header)
        if (aborted !== null && onAbortedTxn !== undefined) onAbortedTxn(aborted)
      }
    }
    this.#mapEndOffset = options.logEndOffset
    this.removeExpiredProducers(options.nowMs)
  }

  /** reload() for a log, from its offsets and batch headers. */
  reloadFor(
    log: {
      logStartOffset: bigint
      logEndOffset: bigint
      segments?: readonly { baseOffset: bigint }[]
      batchHeaders(from: bigint): Iterable<BatchHeader>
    },
    nowMs: number,
    warn: (message: string) => void,
    rebuild?: Pick<LoadProducerStateOptions, 'replayFromAtMost' | 'onAbortedTxn'>,
  ): void {
    const firstBatchOffset = log.segments?.[0]?.baseOffset
    this.reload({
      logStartOffset: log.logStartOffset,
      ...(firstBatchOffset === undefined || firstBatchOffset > log.logStartOffset ? {} : { firstBatchOffset }),
      logEndOffset: log.logEndOffset,
      headersFrom: (offset) => log.batchHeaders(offset),
      nowMs,
      warn,
      ...rebuild,
    })
  }

  #snapshotPath(offset: bigint): string {
    return posix.join(this.#dir, offsetFileName(offset, PRODUCER_SNAPSHOT_SUFFIX))
  }
}
