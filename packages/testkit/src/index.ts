// @samsa/testkit: dev-only helpers for tests and benchmarks (ARCHITECTURE.md §9.2). Never a runtime dependency.

export { freePort, waitForPort } from './ports.ts'
export { startBrokerProcess, type BrokerProcess, type BrokerProcessOptions } from './broker-process.ts'
export {
  createTopics,
  fetchAllBatches,
  fetchCommittedOffsets,
  fetchPartition,
  listOffset,
  produceBatch,
  WireError,
  type FetchedPartition,
} from './wire.ts'
export { filterReadCommitted, type AbortedTransaction, type CommittedRead } from './read-committed.ts'
