// coordinator/txn: producer ids and the transaction coordinator on __transaction_state. Handlers use these only.

export { TransactionCoordinator, type TopicPartitions } from './transaction-coordinator.ts'
export { TRANSACTIONS_V2 } from './txn-transitions.ts'
export { TXN_STATUS_NAMES } from './txn-records.ts'
export { TRANSACTION_STATE_TOPIC } from './create-transaction-coordinator.ts'
