// partitions/: the partitions hosted on this broker and the data path over them (Kafka's ReplicaManager):
// produce validation and append, fetch with long polling and sessions, offsets lookups, DeleteRecords, log dirs.

export {
  Partition,
  IsolationLevel,
  type PartitionAppendResult,
  type PartitionState,
  type TransactionVerifier,
  type TxnMarker,
} from './partition.ts'
export {
  PartitionManager,
  OffsetSpec,
  tpKey,
  type ActiveProducer,
  type ListOffsetResult,
  type PartitionManagerOptions,
} from './partition-manager.ts'
export { fetchRecords, type FetchParams, type FetchResult, type FetchedPartition } from './fetch.ts'
export { FINAL_EPOCH, INITIAL_EPOCH, INVALID_SESSION_ID, type FetchPartitionSpec } from './fetch-sessions.ts'
export { ReadBufferPool, ReadLease } from './read-buffers.ts'
export type { RecordError } from './produce-validation.ts'
export type { TopicSettings } from './topic-settings.ts'
