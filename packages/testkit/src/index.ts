// @samsa/testkit: dev-only helpers for tests and benchmarks (ARCHITECTURE.md §9.2). Never a runtime dependency.

export { freePort, waitForPort } from './ports.ts'
export { startBrokerProcess, type BrokerProcess, type BrokerProcessOptions } from './broker-process.ts'
export { createTopics, fetchAllBatches, listOffset, produceBatch, WireError } from './wire.ts'
