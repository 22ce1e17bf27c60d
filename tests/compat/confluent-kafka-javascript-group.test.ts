// @confluentinc/kafka-javascript 1.10 (librdkafka 2.15.1) consumer groups in this process, through its
// KafkaJS-style API: each member is a consumer with auto-commit every 200 ms (disconnect() commits the rest and
// leaves), once with the classic protocol (librdkafka's default range,roundrobin assignors: eager) and once with
// KIP-848 (group.protocol=consumer; the broker assigns, and session timeout and heartbeat interval are the broker's).
// A rebalance_cb hook follows the assignment: eager callbacks carry whole assignments, KIP-848's are increments.

import ckjs, { type LibrdKafkaError, type TopicPartition } from '@confluentinc/kafka-javascript'
import { groupScenario, type GroupMember } from './lib/group-scenario.ts'

const { Kafka, logLevel } = ckjs.KafkaJS
const ASSIGN = ckjs.CODES.ERRORS.ERR__ASSIGN_PARTITIONS

groupScenario({
  client: 'confluent-js',
  protocols: ['classic', 'consumer'],
  driver: (target) => ({
    async startMember({ group, topic, name, protocol }) {
      const kafka = new Kafka({
        kafkaJS: { clientId: `confluent-js-${name}`, brokers: [target.bootstrap], logLevel: logLevel.NOTHING },
      })
      const records: { partition: number; offset: number }[] = []
      const assignments: number[][] = []
      const incremental = protocol === 'consumer'
      let owned = new Set<number>()
      const onRebalance = (err: LibrdKafkaError, changed: TopicPartition[]): void => {
        const partitions = changed.filter((tp) => tp.topic === topic).map((tp) => tp.partition)
        if (err.code === ASSIGN) owned = new Set(incremental ? [...owned, ...partitions] : partitions)
        else owned = incremental ? new Set([...owned].filter((p) => !partitions.includes(p))) : new Set()
        assignments.push([...owned].sort((x, y) => x - y))
      }
      const common = { groupId: group, fromBeginning: true, autoCommit: true, autoCommitInterval: 200 }
      const consumer = kafka.consumer(
        protocol === 'consumer'
          ? { kafkaJS: common, 'group.protocol': 'consumer', rebalance_cb: onRebalance }
          : {
              kafkaJS: { ...common, sessionTimeout: 10_000, heartbeatInterval: 500 },
              'group.protocol': 'classic',
              rebalance_cb: onRebalance,
            },
      )
      await consumer.connect()
      await consumer.subscribe({ topics: [topic] })
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          records.push({ partition, offset: Number(message.offset) })
          return Promise.resolve()
        },
      })
      const member: GroupMember = { records, assignments, stop: () => consumer.disconnect() }
      return member
    },
  }),
})
