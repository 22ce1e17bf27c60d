// The idempotent producer, client side (KIP-98): one producer id and epoch from InitProducerId, and per partition
// a sequence number that each batch carries as its baseSequence, so a broker that already wrote a retried batch
// answers DUPLICATE_SEQUENCE_NUMBER instead of writing it twice. The accumulator sends one batch per partition at a
// time, so sequences reach the broker in order and a retry resends the same bytes with the same sequence.
//
// When the broker no longer accepts the sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID,
// INVALID_PRODUCER_EPOCH) the batch fails and the producer id is dropped: later batches start again at sequence 0
// under a new id. Kafka's clients bump the epoch instead (KIP-360); that needs InitProducerId v3+ and comes later.
// The same happens when a batch that was sent fails without a broker answer saying it was refused (retries or
// delivery.timeout.ms ran out): it may have been written, so the next sequence is unknown. A batch the broker
// refused (MESSAGE_TOO_LARGE, …) gives its sequence numbers back instead (rollback), so the next batch fills the gap.
//
// A transactional producer's id comes from initTransactions() (transaction-manager.ts), never from ensure(), and
// is not dropped on a broken sequence: the transaction fails instead, and aborting it bumps the epoch (KIP-360).

import { ErrorCode, InitProducerId } from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'

export interface ProducerIdentity {
  producerId: bigint
  producerEpoch: number
}

const INT32_MAX = 2_147_483_647

/** Errors after which the broker will not take this producer's next sequence. */
const SEQUENCE_BROKEN: ReadonlySet<number> = new Set([
  ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.INVALID_PRODUCER_EPOCH,
])

export function breaksSequence(errorCode: number): boolean {
  return SEQUENCE_BROKEN.has(errorCode)
}

export class IdempotenceState {
  readonly #cluster: Cluster
  #identity: ProducerIdentity | null = null
  #fetching: Promise<ProducerIdentity> | null = null
  readonly #sequences = new Map<string, number>()
  /** The producer id belongs to a transactional id (set by setIdentity, kept across sequence errors). */
  readonly isTransactional: boolean

  constructor(cluster: Cluster, options: { transactional?: boolean } = {}) {
    this.#cluster = cluster
    this.isTransactional = options.transactional === true
  }

  get identity(): ProducerIdentity | null {
    return this.#identity
  }

  /** The producer id, asking the cluster for one if there is none (retrying until `deadline`). */
  ensure(deadline: number): Promise<ProducerIdentity> {
    if (this.#identity !== null) return Promise.resolve(this.#identity)
    if (this.isTransactional) {
      return Promise.reject(
        new SamsaError(SamsaErrorCode.ILLEGAL_STATE, 'a transactional producer needs initTransactions() first'),
      )
    }
    this.#fetching ??= this.#cluster
      .retrying(deadline, async () => {
        const { response, version } = await this.#cluster.anyBroker().request(InitProducerId, () =>
          // No transactional id: an idempotent producer only. The timeout is unused without transactions.
          InitProducerId.request.make({ transactionalId: null, transactionTimeoutMs: INT32_MAX }),
        )
        if (response.errorCode !== ErrorCode.NONE) {
          throw new KafkaProtocolError({
            errorCode: response.errorCode,
            apiKey: InitProducerId.key,
            apiVersion: version,
          })
        }
        return { producerId: response.producerId, producerEpoch: response.producerEpoch }
      })
      .then((identity) => {
        this.#identity = identity
        this.#sequences.clear()
        return identity
      })
      .finally(() => {
        this.#fetching = null
      })
    return this.#fetching
  }

  /** Reserves `count` sequence numbers for the partition's next batch; returns the first. */
  nextSequence(topic: string, partition: number, count: number): number {
    const key = `${partition}:${topic}`
    const base = this.#sequences.get(key) ?? 0
    this.#sequences.set(key, advance(base, count))
    return base
  }

  /**
   * The broker refused the partition's last batch (it wrote nothing): its sequence numbers are handed out again,
   * so the next batch does not leave a gap (Java's adjustSequencesDueToFailedBatch; one batch per partition is in
   * flight, so no later batch holds a sequence yet).
   */
  rollback(batch: { topic: string; partition: number; baseSequence: number; records: readonly unknown[] }): void {
    const key = `${batch.partition}:${batch.topic}`
    // Only if nothing moved since (no reset, no later batch): the next sequence is still the one after this batch.
    if (batch.baseSequence < 0 || this.#sequences.get(key) !== advance(batch.baseSequence, batch.records.length)) return
    this.#sequences.set(key, batch.baseSequence)
  }

  /** A producer id and epoch from InitProducerId (transactions); sequences start again at 0. */
  setIdentity(identity: ProducerIdentity): void {
    this.#identity = identity
    this.#sequences.clear()
  }

  /** Forgets the producer id and every sequence; the next batch asks for a new id (not for transactions). */
  reset(): void {
    if (this.isTransactional) return
    this.#identity = null
    this.#sequences.clear()
  }
}

/** `base + count`, wrapping to 0 after INT32_MAX as Kafka's DefaultRecordBatch.incrementSequence does. */
function advance(base: number, count: number): number {
  return base > INT32_MAX - count ? count - (INT32_MAX - base) - 1 : base + count
}
