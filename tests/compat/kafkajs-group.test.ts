// kafkajs 2.2.4 consumer groups in this process: each member is a kafkajs Consumer (classic protocol, its default
// RoundRobin assigner) with auto-commit every 200 ms; GROUP_JOIN instrumentation events report each assignment,
// and disconnect() commits what was processed and leaves the group.

import kafkajs from 'kafkajs'
import { groupScenario, type GroupMember } from './lib/group-scenario.ts'

const { Kafka, logLevel } = kafkajs

groupScenario({
  client: 'kafkajs',
  protocols: ['classic'],
  driver: (target) => ({
    async startMember({ group, topic, name }) {
      const kafka = new Kafka({ clientId: `kafkajs-${name}`, brokers: [target.bootstrap], logLevel: logLevel.NOTHING })
      const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 })
      const records: { partition: number; offset: number }[] = []
      const assignments: number[][] = []
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.push([...(event.payload.memberAssignment[topic] ?? [])].sort())
      })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        autoCommitInterval: 200,
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
