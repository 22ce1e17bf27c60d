// @confluentinc/kafka-javascript 1.10 (librdkafka 2.15.1) transactions in this process, through its KafkaJS-style
// API (lib/txn-scenario.ts, through lib/txn-kafkajs-style.ts): a producer with kafkaJS.transactionalId,
// transaction() / send / commit / abort, and sendOffsets({ consumer }) (librdkafka's send_offsets_to_transaction
// with the consumer's group metadata; this API refuses a bare consumerGroupId). Its consumers read read_committed
// (librdkafka's default isolation.level, set explicitly here), in a fresh group per read; consume-transform-produce
// reads the input in the offsets' group with autoCommit off.

import ckjs from '@confluentinc/kafka-javascript'
import type { Target } from './lib/target.ts'
import { kafkaJsStyleDriver } from './lib/txn-kafkajs-style.ts'
import { txnScenario } from './lib/txn-scenario.ts'

const { Kafka, logLevel } = ckjs.KafkaJS
type Consumer = ReturnType<InstanceType<typeof Kafka>['consumer']>

function driver(target: Target) {
  const kafka = new Kafka({
    kafkaJS: { clientId: 'compat-confluent-js-txn', brokers: [target.bootstrap], logLevel: logLevel.NOTHING },
  })
  return kafkaJsStyleDriver<Awaited<ReturnType<ReturnType<typeof kafka.producer>['transaction']>>, Consumer>({
    producer: (transactionalId, transactionTimeoutMs) =>
      kafka.producer({
        kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 },
        // librdkafka 2.15 refuses a socket.timeout.ms (default 60 s) more than 100 ms above transaction.timeout.ms
        ...(transactionTimeoutMs === undefined
          ? {}
          : { 'transaction.timeout.ms': transactionTimeoutMs, 'socket.timeout.ms': transactionTimeoutMs }),
      }),
    async consume(group, topic, onRecord) {
      const consumer = kafka.consumer({
        kafkaJS: { groupId: group, fromBeginning: true, autoCommit: false, sessionTimeout: 10_000 },
        'isolation.level': 'read_committed',
      })
      await consumer.connect()
      try {
        await consumer.subscribe({ topics: [topic] })
        await consumer.run({
          eachMessage: ({ partition, message }) => {
            onRecord({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' })
            return Promise.resolve()
          },
        })
      } catch (error) {
        await consumer.disconnect()
        throw error
      }
      return { handle: consumer, stop: () => consumer.disconnect() }
    },
    sendOffsets: (txn, consumer, _group, topics) => txn.sendOffsets({ consumer, topics }),
    describeError(error) {
      const e = error as Error & { code?: number }
      return `${e.name} (${e.code ?? ''}): ${e.message}`
    },
  })
}

txnScenario({ client: 'confluent-js', driver })
