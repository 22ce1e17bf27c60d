// A consumer-group member on @platformatic/kafka 2.x under Node 22 (see childGroupMember in lib/group-scenario.ts
// for the JSON lines it prints and the "stop" line it obeys). --protocol classic (JoinGroup/SyncGroup/Heartbeat) or
// consumer (KIP-848 ConsumerGroupHeartbeat, where the broker assigns and the session timeout is the broker's).
// The stream starts at the committed offsets, or the earliest when the group has none, and commits what it handed
// out every 200 ms; closing the stream commits the rest, closing the consumer leaves the group.

import { parseArgs } from 'node:util'
import { Consumer, type ConsumerOptions } from '@platformatic/kafka'

const { values } = parseArgs({
  options: {
    bootstrap: { type: 'string', default: '' },
    group: { type: 'string', default: '' },
    topic: { type: 'string', default: '' },
    name: { type: 'string', default: '' },
    protocol: { type: 'string', default: 'classic' },
  },
})
const topic = values.topic
const emit = (event: object): void => {
  process.stdout.write(JSON.stringify(event) + '\n')
}

const base = { clientId: `platformatic-${values.name}`, bootstrapBrokers: [values.bootstrap], groupId: values.group }
const options: ConsumerOptions<Buffer, Buffer, Buffer, Buffer> =
  values.protocol === 'consumer'
    ? { ...base, groupProtocol: 'consumer' }
    : { ...base, groupProtocol: 'classic', sessionTimeout: 10_000, heartbeatInterval: 500 }
const consumer = new Consumer(options)

// The library keeps its assignment in `consumer.assignments` and updates it after metadata look-ups that follow the
// group events, so the member reports each change it sees there rather than the events themselves.
let reported = ''
const reportAssignment = (): void => {
  const partitions = (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions)
  const now = JSON.stringify([...partitions].sort((x, y) => x - y))
  if (now !== reported) {
    reported = now
    emit({ assigned: JSON.parse(now) as number[] })
  }
}
const watch = setInterval(reportAssignment, 20)
// also right at the group events, so that a short-lived assignment is not missed between two polls
for (const event of ['consumer:group:join', 'consumer:group:rebalance', 'consumer:heartbeat:end'] as const)
  consumer.on(event, reportAssignment)

const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 200 })
stream.on('data', (message) => {
  reportAssignment() // a record of a partition we have not reported yet must not come before its assignment
  emit({ record: [message.partition, Number(message.offset)] })
})

let stopping: Promise<void> | undefined
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    await stream.close()
    await consumer.close()
    clearInterval(watch)
  })())
process.once('SIGTERM', () => void stop())
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('stop')) void stop()
})
process.stdin.once('end', () => void stop())
