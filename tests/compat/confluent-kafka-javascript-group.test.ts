// @confluentinc/kafka-javascript 1.10 (librdkafka 2.15.1) consumer groups in this process, through its
// KafkaJS-style API: each member is a consumer with auto-commit every 200 ms (disconnect() commits the rest and
// leaves, unless it is a static member). The shared scenario runs with the classic protocol (librdkafka's default
// range,roundrobin assignors: eager) and with KIP-848 (group.protocol=consumer; the broker assigns, and session
// timeout and heartbeat interval are the broker's); the classic protocol also runs the cooperative-sticky and the
// static-membership (group.instance.id) scenarios. A rebalance_cb hook follows the assignment: eager callbacks
// carry whole assignments, cooperative and KIP-848 ones carry increments.

import ckjs, { type LibrdKafkaError, type TopicPartition } from '@confluentinc/kafka-javascript'
import {
  cooperativeScenario,
  groupScenario,
  staticMembershipScenario,
  type GroupMember,
  type MemberOptions,
} from './lib/group-scenario.ts'
import type { Target } from './lib/target.ts'

const { Kafka, logLevel } = ckjs.KafkaJS
const ASSIGN = ckjs.CODES.ERRORS.ERR__ASSIGN_PARTITIONS

interface Variant {
  /** librdkafka properties on top of the member's own. */
  config?: { 'partition.assignment.strategy'?: string; 'group.instance.id'?: string }
  /** Whether rebalance callbacks carry increments rather than whole assignments. */
  incremental?: boolean
}

async function startMember(target: Target, options: MemberOptions, variant: Variant = {}): Promise<GroupMember> {
  const { group, topic, name, protocol } = options
  const kafka = new Kafka({
    kafkaJS: { clientId: `confluent-js-${name}`, brokers: [target.bootstrap], logLevel: logLevel.NOTHING },
  })
  const records: { partition: number; offset: number }[] = []
  const assignments: number[][] = []
  const incremental = protocol === 'consumer' || variant.incremental === true
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
      ? { kafkaJS: common, 'group.protocol': 'consumer', rebalance_cb: onRebalance, ...variant.config }
      : {
          kafkaJS: { ...common, sessionTimeout: 10_000, heartbeatInterval: 500 },
          'group.protocol': 'classic',
          rebalance_cb: onRebalance,
          ...variant.config,
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
  return { records, assignments, stop: () => consumer.disconnect() }
}

groupScenario({
  client: 'confluent-js',
  protocols: ['classic', 'consumer'],
  driver: (target) => ({ startMember: (options) => startMember(target, options) }),
})

cooperativeScenario({
  client: 'confluent-js',
  driver: (target) => ({
    startMember: (options) =>
      startMember(target, options, {
        config: { 'partition.assignment.strategy': 'cooperative-sticky' },
        incremental: true,
      }),
  }),
})

staticMembershipScenario({
  client: 'confluent-js',
  driver: (target) => ({
    startMember: (options) => startMember(target, options, { config: { 'group.instance.id': options.instanceId } }),
  }),
})

// KIP-848 rebalances are incremental by design, and its static members leave "temporarily" (member epoch -2) on
// close: the same two scenarios with group.protocol=consumer.
const kip848 = (options: MemberOptions): MemberOptions => ({ ...options, protocol: 'consumer' })

cooperativeScenario({
  client: 'confluent-js-kip848',
  driver: (target) => ({ startMember: (options) => startMember(target, kip848(options)) }),
})

staticMembershipScenario({
  client: 'confluent-js-kip848',
  driver: (target) => ({
    startMember: (options) =>
      startMember(target, kip848(options), { config: { 'group.instance.id': options.instanceId } }),
  }),
})
