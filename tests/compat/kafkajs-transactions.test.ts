// kafkajs 2.2.4 transactions in this process (lib/txn-scenario.ts, through lib/txn-kafkajs-style.ts):
// producer.transaction() with send, sendOffsets({ consumerGroupId }), commit and abort; its consumer reads
// read_committed by default (readUncommitted: false), which needs a group, so each read joins a fresh one.
// Consume-transform-produce reads the input in the group the offsets go to, with autoCommit off. kafkajs fences
// with INVALID_PRODUCER_EPOCH (it knows no PRODUCER_FENCED).

import kafkajs from 'kafkajs'
import type { Target } from './lib/target.ts'
import { kafkaJsStyleDriver } from './lib/txn-kafkajs-style.ts'
import { txnScenario } from './lib/txn-scenario.ts'

const { Kafka, logLevel } = kafkajs

function driver(target: Target) {
  const kafka = new Kafka({ clientId: 'compat-kafkajs-txn', brokers: [target.bootstrap], logLevel: logLevel.NOTHING })
  return kafkaJsStyleDriver({
    producer: (transactionalId, transactionTimeout) =>
      kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout }),
    async consume(group, topic, onRecord) {
      const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 })
      await consumer.connect()
      try {
        await consumer.subscribe({ topic, fromBeginning: true })
        await consumer.run({
          autoCommit: false,
          eachMessage: ({ partition, message }) => {
            onRecord({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' })
            return Promise.resolve()
          },
        })
      } catch (error) {
        await consumer.disconnect()
        throw error
      }
      return { handle: undefined, stop: () => consumer.disconnect() }
    },
    sendOffsets: (txn, _consumer, consumerGroupId, topics) => txn.sendOffsets({ consumerGroupId, topics }),
    describeError(error) {
      const e = error as Error & { type?: string }
      return `${e.name} ${e.type ?? ''}: ${e.message}`
    },
  })
}

txnScenario({ client: 'kafkajs', driver })
