// Builds the transaction coordinator: a runtime over `__transaction_state` (created on the first FindCoordinator
// for a transactional id, with Kafka's internal-topic settings), the marker writer (data partitions directly,
// `__consumer_offsets` partitions through the group coordinator so pending offsets are replayed), the two
// cleanup timers of each shard, and the Produce-time verification hook on the partition manager.

import type { Clock } from '@samsa/storage'
import type { ConfigResolver } from '../../config/config-resolver.ts'
import type { Logger } from '../../logger.ts'
import type { PartitionManager } from '../../partitions/index.ts'
import type { GroupCoordinator } from '../group/index.ts'
import { GROUP_METADATA_TOPIC } from '../group/create-group-coordinator.ts'
import { CoordinatorRuntime, type RuntimeTimers } from '../runtime/coordinator-runtime.ts'
import { PartitionLog } from '../runtime/partition-log.ts'
import { TransactionCoordinator, type TxnConfigs } from './transaction-coordinator.ts'
import { decodeTxnRecord, encodeTxnRecord, type TxnRecord } from './txn-records.ts'
import { TxnShard, type ProducerIndex } from './txn-shard.ts'

export const TRANSACTION_STATE_TOPIC = '__transaction_state'
const ABORT_TIMER = 'abort-timed-out-transactions'
const EXPIRE_TIMER = 'remove-expired-transactional-ids'

export interface TransactionCoordinatorDeps {
  partitions: PartitionManager
  groups: GroupCoordinator
  configs: ConfigResolver
  createTopic(name: string): Promise<number>
  generateProducerId(): bigint
  clock: Clock
  logger: Logger
}

export function createTransactionCoordinator(deps: TransactionCoordinatorDeps): TransactionCoordinator {
  const { partitions, groups, configs, clock, logger } = deps
  const value = (name: string) => configs.brokerValue(name) as number
  const txnConfigs = (): TxnConfigs => ({
    'transaction.max.timeout.ms': value('transaction.max.timeout.ms'),
    'transactional.id.expiration.ms': value('transactional.id.expiration.ms'),
  })
  const producers: ProducerIndex = new Map()
  const coordinatorRef: { current: TransactionCoordinator | null } = { current: null }
  const every = (
    timers: RuntimeTimers<TxnRecord>,
    key: string,
    intervalConfig: string,
    run: (now: number) => ReturnType<TransactionCoordinator['abortTimedOut']>,
  ): void => {
    timers.schedule(key, value(intervalConfig), (now) => {
      every(timers, key, intervalConfig, run)
      return run(now)
    })
  }
  const runtime = new CoordinatorRuntime<TxnShard, TxnRecord>({
    name: 'transaction coordinator',
    log: new PartitionLog({
      topic: TRANSACTION_STATE_TOPIC,
      partitions,
      createTopic: () => deps.createTopic(TRANSACTION_STATE_TOPIC),
      waitForPartitions: async () => {
        for (let i = 0; i < 100 && partitions.getPartition(TRANSACTION_STATE_TOPIC, 0) === undefined; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      },
    }),
    codec: { encode: encodeTxnRecord, decode: decodeTxnRecord },
    clock,
    logger,
    numPartitions: () => value('transaction.state.log.num.partitions'),
    createShard: (partition, timers) => new TxnShard(partition, timers, producers),
    onLoaded: (shard) => {
      const coordinator = coordinatorRef.current
      if (coordinator === null) return
      every(shard.timers, ABORT_TIMER, 'transaction.abort.timed.out.transaction.cleanup.interval.ms', (now) =>
        coordinator.abortTimedOut(shard, now),
      )
      every(shard.timers, EXPIRE_TIMER, 'transaction.remove.expired.transaction.cleanup.interval.ms', (now) =>
        coordinator.expireIdle(shard, now),
      )
      coordinator.resumePrepared(shard)
    },
  })
  const coordinator = new TransactionCoordinator({
    runtime,
    producers,
    markers: {
      write: (topic, partition, marker) =>
        topic === GROUP_METADATA_TOPIC
          ? groups.completeTransaction(partition, marker)
          : partitions.appendTxnMarker(topic, partition, marker),
      coordinatorEpoch: (txnPartition) =>
        partitions.getPartition(TRANSACTION_STATE_TOPIC, txnPartition)?.leaderEpoch ?? 0,
    },
    generateProducerId: () => deps.generateProducerId(),
    configs: txnConfigs,
    logger,
    onClose: () => {
      partitions.verifyTransaction = undefined
    },
  })
  coordinatorRef.current = coordinator
  partitions.verifyTransaction = (producerId, producerEpoch, topic, partition, addIfMissing) =>
    addIfMissing
      ? coordinator.addPartitionImplicitly(producerId, producerEpoch, topic, partition)
      : coordinator.verify(producerId, producerEpoch, topic, partition)
  // Kafka loads every `__transaction_state` partition it leads at once: transactions a crash left Prepared get
  // their markers, timed-out ones are aborted, and Produce verification knows every transactional producer.
  if (partitions.getPartition(TRANSACTION_STATE_TOPIC, 0) !== undefined) {
    runtime.allShards().catch((e: unknown) => logger.error('transaction coordinator: loading failed', e))
  }
  return coordinator
}
