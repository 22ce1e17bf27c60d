// Two members of one group against an in-process broker: they split the partitions when the second joins and
// the first takes everything back when the second leaves, with every classic assignor and with the KIP-848
// consumer protocol. cooperative-sticky must revoke only the partitions that move.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createAdmin, type Admin } from '../admin/admin.ts'
import type { ConsumerOptions } from '../consumer/consumer.ts'
import { uniqueTopic, type TestBroker } from '../testing.ts'
import type { AssignorName } from './assignors.ts'
import { RecordingMember, startGroupTestBroker, untilAll } from './group-testing.ts'

let broker: TestBroker
let admin: Admin

before(async () => {
  broker = await startGroupTestBroker()
  admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
})

after(async () => {
  await admin.close()
  await broker.stop()
})

async function topicWith(numPartitions: number): Promise<string> {
  const topic = uniqueTopic('group')
  await admin.createTopics({ topics: [{ topic, numPartitions }] })
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
  const first = new RecordingMember(broker.bootstrapServers, { groupId, ...options })
  const second = new RecordingMember(broker.bootstrapServers, { groupId, ...options })
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
