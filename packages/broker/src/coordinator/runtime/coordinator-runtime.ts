// The coordinator runtime (Kafka's coordinator-common CoordinatorRuntime, ARCHITECTURE.md §9.6): one state machine
// ("shard") per partition of an internal topic, loaded by replaying that partition, and driven by operations that
// return records. For each operation the runtime
//   1. runs it against the shard with the current time,
//   2. appends the records it returned to the shard's partition as one batch,
//   3. replays them into the shard (replay is the only mutator of persisted state),
//   4. runs the deliveries that waited for those records, and hands back the response.
// Appends are synchronous on a single node (the high watermark moves with the append), so an operation runs to
// completion without interleaving with others: the event loop is the serial queue. When replication arrives, step
// 2 becomes "append and wait for the high watermark" and operations queue per shard.
// Timers requested by a shard run through the same path when they fire.
//
// Transactional writes (KIP-98, for TxnOffsetCommit): a result may name a producer; its records are then appended
// as that producer's transactional batch and replayed as pending (`replay(record, producerId)`), and the
// transaction coordinator later ends them with completeTransaction(), which appends the COMMIT/ABORT marker and
// replays it (`replayEndTransaction`), exactly as loading the partition would.

import { KafkaError, ErrorCode } from '@samsa/protocol'
import type { Clock, TimerHandle } from '@samsa/storage'
import type { Logger } from '../../logger.ts'
import type { CoordinatorLog, MarkerToWrite, StoredRecord, TransactionalProducer } from './coordinator-log.ts'

export interface RuntimeResult<T, R> {
  records: R[]
  response: T
  /** Run after the records are durable. */
  then?: (() => void)[]
  /** Append the records as this producer's transactional batch (they stay pending until its marker). */
  transactional?: TransactionalProducer
}

export interface RuntimeTimers<R> {
  schedule(key: string, delayMs: number, fire: (now: number) => RuntimeResult<void, R>): void
  cancel(key: string): void
}

export interface Shard<R> {
  /** `producerId` ≥ 0 for a record of a transactional batch (pending until replayEndTransaction). */
  replay(record: R, producerId: bigint): void
  /** A COMMIT or ABORT marker of a producer's transaction on this shard's partition. */
  replayEndTransaction?(producerId: bigint, committed: boolean): void
}

export interface RecordCodec<R> {
  encode(record: R): StoredRecord
  /** null for records the shard does not know and skips. */
  decode(key: Buffer, value: Buffer | null): R | null
}

export interface CoordinatorRuntimeOptions<S extends Shard<R>, R> {
  /** For messages: "group coordinator", "transaction coordinator". */
  name: string
  log: CoordinatorLog
  codec: RecordCodec<R>
  clock: Clock
  logger: Logger
  /** offsets.topic.num.partitions / transaction.state.log.num.partitions: how keys map to shards. */
  numPartitions: () => number
  createShard(partition: number, timers: RuntimeTimers<R>): S
  /** After a shard has replayed its partition (re-arm timers, expire what is due). */
  onLoaded?(shard: S, now: number): void
}

/** Kafka's Utils.abs(key.hashCode()) % partitions, so a key lands on the partition Kafka would choose. */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0
  return (hash & 0x7fffffff) % partitions
}

export class CoordinatorRuntime<S extends Shard<R>, R> {
  readonly #options: CoordinatorRuntimeOptions<S, R>
  readonly #shards = new Map<number, S>()
  readonly #timers = new Map<number, Map<string, TimerHandle>>()
  #ready: Promise<void> | null = null
  #closed = false

  constructor(options: CoordinatorRuntimeOptions<S, R>) {
    this.#options = options
  }

  partitionFor(key: string): number {
    return partitionForKey(key, this.#options.numPartitions())
  }

  /** Creates the internal topic on first use (as Kafka does on the first FindCoordinator); later calls are free. */
  ready(): Promise<void> {
    this.#ready ??= this.#options.log.ensureTopic().catch((e: unknown) => {
      this.#ready = null
      throw e
    })
    return this.#ready
  }

  /** The shard for `key`, loaded from its partition on first use. */
  async shardFor(key: string): Promise<S> {
    await this.ready()
    return this.#load(this.partitionFor(key))
  }

  /** The shard for `key` if it is loaded already (synchronous paths that must not load, such as Produce checks). */
  loadedShardFor(key: string): S | undefined {
    return this.#shards.get(this.partitionFor(key))
  }

  /** Every shard loaded so far or present on disk (ListGroups and DescribeGroups walk them all). */
  async allShards(): Promise<S[]> {
    await this.ready()
    const shards: S[] = []
    for (let p = 0; p < this.#options.numPartitions(); p++) shards.push(this.#load(p))
    return shards
  }

  /** Runs an operation on the shard that owns `key` and returns its response once its records are durable. */
  async run<T>(key: string, op: (shard: S, now: number) => RuntimeResult<T, R>): Promise<T> {
    await this.ready()
    return this.runOn(this.partitionFor(key), op)
  }

  /** Runs an operation on a loaded-or-loadable shard, synchronously (the topic must exist). */
  runOn<T>(partition: number, op: (shard: S, now: number) => RuntimeResult<T, R>): T {
    if (this.#closed) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `the ${this.#options.name} is shutting down`)
    const shard = this.#load(partition)
    const result = op(shard, this.#options.clock.now())
    this.#apply(partition, shard, result)
    return result.response
  }

  /** Runs an operation on every shard loaded so far (metadata changes that concern all of them). */
  runOnLoaded(op: (shard: S, now: number) => RuntimeResult<void, R>, onError: (e: unknown) => void): void {
    for (const [partition, shard] of this.#shards) {
      if (this.#closed) return
      try {
        this.#apply(partition, shard, op(shard, this.#options.clock.now()))
      } catch (e) {
        onError(e)
      }
    }
  }

  /**
   * Ends a producer's transaction on one partition (the transaction coordinator's marker for this partition): the
   * marker is appended, then replayed into the shard. Returns Kafka's error code for the marker.
   */
  completeTransaction(partition: number, marker: MarkerToWrite): number {
    if (this.#closed) return ErrorCode.NOT_COORDINATOR
    const shard = this.#load(partition)
    const errorCode = this.#options.log.appendMarker(partition, marker)
    if (errorCode === ErrorCode.NONE) shard.replayEndTransaction?.(marker.producerId, marker.committed)
    return errorCode
  }

  close(): void {
    this.#closed = true
    for (const timers of this.#timers.values())
      for (const handle of timers.values()) this.#options.clock.clearTimer(handle)
    this.#timers.clear()
  }

  #apply(partition: number, shard: S, result: RuntimeResult<unknown, R>): void {
    if (result.records.length > 0) {
      const { codec, log, clock } = this.#options
      // A refused append fails the request (Kafka maps it to NOT_COORDINATOR and friends); nothing is replayed.
      log.append(
        partition,
        result.records.map((r) => codec.encode(r)),
        clock.now(),
        result.transactional,
      )
      const producerId = result.transactional?.producerId ?? -1n
      for (const record of result.records) shard.replay(record, producerId)
    }
    for (const deliver of result.then ?? []) deliver()
  }

  #load(partition: number): S {
    const loaded = this.#shards.get(partition)
    if (loaded !== undefined) return loaded
    const { codec, log, logger, name } = this.#options
    const shard = this.#options.createShard(partition, this.#timersFor(partition))
    let replayed = 0
    let skipped = 0
    for (const stored of log.readAll(partition)) {
      if ('marker' in stored) {
        shard.replayEndTransaction?.(stored.marker.producerId, stored.marker.committed)
        continue
      }
      if (stored.key === null) {
        skipped++
        continue
      }
      const record = codec.decode(stored.key, stored.value)
      if (record === null) skipped++
      else {
        shard.replay(record, stored.producerId ?? -1n)
        replayed++
      }
    }
    this.#shards.set(partition, shard)
    if (replayed + skipped > 0) {
      logger.info(`${name}: loaded partition ${partition} (${replayed} records replayed, ${skipped} skipped)`)
    }
    this.#options.onLoaded?.(shard, this.#options.clock.now())
    return shard
  }

  #timersFor(partition: number): RuntimeTimers<R> {
    const handles = new Map<string, TimerHandle>()
    this.#timers.set(partition, handles)
    const { clock, logger, name } = this.#options
    return {
      schedule: (key, delayMs, fire) => {
        const earlier = handles.get(key)
        if (earlier !== undefined) clock.clearTimer(earlier)
        const handle = clock.setTimer(Math.max(0, delayMs), () => {
          handles.delete(key)
          if (this.#closed) return
          try {
            const shard = this.#load(partition)
            this.#apply(partition, shard, fire(clock.now()))
          } catch (e) {
            logger.error(`${name}: timer ${key} on partition ${partition} failed`, e)
          }
        })
        handles.set(key, handle)
      },
      cancel: (key) => {
        const handle = handles.get(key)
        if (handle === undefined) return
        clock.clearTimer(handle)
        handles.delete(key)
      },
    }
  }
}
