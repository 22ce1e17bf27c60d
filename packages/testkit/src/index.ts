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
export { FaultProxy, FaultRule, type FaultKind, type FaultProxyOptions, type FaultRuleOptions } from './fault-proxy.ts'
export { startTestCluster, type TestCluster, type TestClusterOptions } from './test-cluster.ts'
