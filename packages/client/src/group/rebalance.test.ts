// Two members of one group against an in-process broker: they split the partitions when the second joins and
// the first takes everything back when the second leaves, with every classic assignor and with the KIP-848
// consumer protocol. cooperative-sticky must revoke only the partitions that move. With run() handlers busy,
// a member joining mid-stream costs no message and repeats none, because revoked offsets are committed first.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ConsumerOptions } from '../consumer/consumer.ts'
import { uniqueTopic } from '../testing.ts'
import type { AssignorName } from './assignors.ts'
import { RecordingMember, startGroupTestBroker, untilAll } from './group-testing.ts'
import { clientFixture } from '../test-fixture.ts'

const fx = clientFixture(startGroupTestBroker)

async function topicWith(numPartitions: number): Promise<string> {
  const topic = uniqueTopic('group')
  await fx.admin.createTopics({ topics: [{ topic, numPartitions }] })
  return topic
}

/** What the first member's listener saw before it closed. */
interface FirstMemberHistory {
  revoked: number[]
  lost: number
}

async function joinAndLeave(options: Partial<ConsumerOptions>): Promise<FirstMemberHistory> {
  const topic = await topicWith(4)
  const groupId = uniqueTopic('g')
  const first = new RecordingMember(fx.broker.bootstrapServers, { groupId, ...options })
  const second = new RecordingMember(fx.broker.bootstrapServers, { groupId, ...options })
  try {
    first.subscribe([topic])
    await first.until(() => first.owned().length === 4)
    second.subscribe([topic])
    await untilAll([first, second], () => first.owned().length === 2 && second.owned().length === 2)
    assert.deepEqual(
      [...first.owned(), ...second.owned()].sort(),
      [0, 1, 2, 3].map((p) => `${topic}-000${p}`),
    )
    await second.consumer.close()
    // It left (LeaveGroup, or epoch -1 for KIP-848) rather than waiting out its session.
    const [group] = await fx.admin.describeGroups({ groups: [groupId] })
    assert.deepEqual(
      group?.members.map((m) => m.memberId),
      [first.consumer.groupMetadata().memberId],
    )
    await first.until(() => first.owned().length === 4)
    return { revoked: first.revokedCalls.map((c) => c.length), lost: first.lostCalls.length }
  } finally {
    await second.consumer.close()
    await first.consumer.close()
  }
}

for (const assignor of ['range', 'roundrobin', 'cooperative-sticky'] as AssignorName[]) {
  test(
    `classic protocol, ${assignor}: two members split four partitions and one takes all back`,
    { timeout: 30_000 },
    async () => {
      const first = await joinAndLeave({ groupProtocol: 'classic', partitionAssignors: [assignor] })
      assert.equal(first.lost, 0)
      if (assignor === 'cooperative-sticky') {
        // KIP-429: the first member gave up exactly the two partitions that moved, never all four.
        assert.deepEqual(first.revoked, [2])
      } else {
        // Eager: everything is revoked before each rejoin.
        assert.ok(first.revoked.includes(4))
      }
    },
  )
}

for (const serverAssignor of ['uniform', 'range']) {
  test(
    `consumer protocol (KIP-848), ${serverAssignor}: two members split four partitions and one takes all back`,
    { timeout: 30_000 },
    async () => {
      const first = await joinAndLeave({ groupProtocol: 'consumer', serverAssignor })
      assert.equal(first.lost, 0)
      // Only what moved to the second member is revoked.
      assert.deepEqual(first.revoked, [2])
    },
  )
}

async function consumeAcrossRebalance(options: Partial<ConsumerOptions>): Promise<void> {
  const topic = await topicWith(4)
  const wave = 200
  const produceWave = async (n: number) => {
    for (let partition = 0; partition < 4; partition++) {
      const messages = Array.from({ length: wave / 4 }, (_, i) => ({ value: `${n}:${partition}:${i}`, partition }))
      await fx.producer.send({ topic, messages })
    }
  }
  await produceWave(1)
  const groupId = uniqueTopic('g')
  const seen: string[] = []
  const seenBy = [0, 0]
  const members = [0, 1].map(
    () => new RecordingMember(fx.broker.bootstrapServers, { groupId, autoOffsetReset: 'earliest', ...options }),
  )
  const waiters: { count: number; resolve: () => void }[] = []
  const untilSeen = (count: number) => new Promise<void>((resolve) => waiters.push({ count, resolve }))
  const runs: Promise<void>[] = []
  const start = (index: number) => {
    const member = members[index]!
    member.subscribe([topic])
    runs.push(
      member.consumer.run({
        eachMessage: async (message) => {
          seen.push(`${message.partition}@${message.offset}`)
          seenBy[index]!++
          // A little asynchronous work per message, so rebalances land between and during handlers.
          await new Promise((resolve) => setImmediate(resolve))
          const distinct = new Set(seen).size
          for (const w of waiters) if (distinct >= w.count) w.resolve()
        },
      }),
    )
  }
  try {
    start(0)
    await untilSeen(20)
    start(1) // joins while the first member is mid-stream
    await untilAll(members, () => members.every((m) => m.owned().length === 2))
    await produceWave(2)
    await untilSeen(2 * wave)
    // Offsets were committed on every revocation, so no message was read twice, and none was skipped.
    assert.equal(new Set(seen).size, 2 * wave)
    assert.equal(seen.length, 2 * wave)
    assert.ok(seenBy[1]! > 0)
  } finally {
    await Promise.all(members.map((m) => m.consumer.close()))
    await Promise.all(runs)
  }
}

for (const assignor of ['range', 'cooperative-sticky'] as AssignorName[]) {
  test(
    `classic protocol, ${assignor}: every message once while a second member joins mid-stream`,
    { timeout: 30_000 },
    () => consumeAcrossRebalance({ groupProtocol: 'classic', partitionAssignors: [assignor] }),
  )
}

test(
  'consumer protocol (KIP-848): every message once while a second member joins mid-stream',
  { timeout: 30_000 },
  () => consumeAcrossRebalance({ groupProtocol: 'consumer' }),
)
