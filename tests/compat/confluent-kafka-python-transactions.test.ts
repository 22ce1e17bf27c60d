// confluent-kafka-python 1.7.0 (librdkafka 2.0.2) transactions (lib/txn-scenario.ts), each step a /usr/bin/python3
// child running clients/confluent_kafka_txn.py: init_transactions / begin / commit_transaction / abort_transaction,
// send_offsets_to_transaction with the consumer's group metadata, a read_committed Consumer by assignment
// (enable.partition.eof: the end is the last stable offset), and the fenced error of a zombie producer's commit.

import { pythonClient } from './lib/python.ts'
import { programTxnDriver, txnScenario } from './lib/txn-scenario.ts'

const program = pythonClient('confluent_kafka_txn.py')

txnScenario({ client: 'confluent-python', driver: (target) => programTxnDriver(program, target) })
