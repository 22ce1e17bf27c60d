// Group membership beyond splitting partitions: a handler slower than the session timeout keeps its place,
// offsets resume exactly where the last commit left them, a static member restarts without a rebalance, and the
// consumer reports its lag.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ConsumerMessage } from '../consumer/fetched-records.ts'
import { uniqueTopic } from '../testing.ts'
import { fastGroupOptions, RecordingMember, startGroupTestBroker } from './group-testing.ts'
import { clientFixture } from '../test-fixture.ts'

const fx = clientFixture(startGroupTestBroker)

async function topicWithMessages(numPartitions: number, count: number, batchPerMessage = false): Promise<string> {
  const topic = uniqueTopic('group')
  await fx.admin.createTopics({ topics: [{ topic, numPartitions }] })
  const messages = Array.from({ length: count }, (_, i) => ({ value: `m${i}`, partition: 0 }))
  if (!batchPerMessage) await fx.producer.send({ topic, messages })
  else for (const message of messages) await fx.producer.send({ topic, messages: [message] })
  return topic
}

for (const groupProtocol of ['classic', 'consumer'] as const) {
  test(
    `${groupProtocol}: a handler slower than the session timeout does not cost the membership`,
    { timeout: 30_000 },
    async () => {
      const topic = await topicWithMessages(1, 3)
      const member = new RecordingMember(fx.broker.bootstrapServers, {
        groupId: uniqueTopic('g'),
        groupProtocol,
        autoOffsetReset: 'earliest',
      })
      try {
        member.subscribe([topic])
        const seen: bigint[] = []
        let generationBefore = -1
        let memberIdBefore = ''
        const done = new Promise<void>((resolve, reject) => {
          member.consumer
            .run({
              eachMessage: async (message: ConsumerMessage) => {
                seen.push(message.offset)
                if (message.offset === 0n) {
                  generationBefore = member.consumer.groupMetadata().generationId
                  memberIdBefore = member.consumer.groupMetadata().memberId
                  // Longer than the session timeout, without blocking the event loop: only a heartbeat that
                  // runs on its own timer keeps the member in the group meanwhile.
                  await new Promise((r) => setTimeout(r, fastGroupOptions.sessionTimeoutMs + 1500))
                }
                if (seen.length === 3) resolve()
              },
            })
            .catch(reject)
        })
        await done
        assert.deepEqual(seen, [0n, 1n, 2n])
        assert.equal(member.revokedCalls.length, 0)
        assert.equal(member.lostCalls.length, 0)
        assert.equal(member.consumer.groupMetadata().memberId, memberIdBefore)
        assert.equal(member.consumer.groupMetadata().generationId, generationBefore)
      } finally {
        await member.consumer.close()
      }
    },
  )

  test(
    `${groupProtocol}: a restarted member resumes after the last commit, with no loss and no repeat`,
    { timeout: 30_000 },
    async () => {
      const topic = await topicWithMessages(1, 10)
      const groupId = uniqueTopic('g')
      const options = { groupId, groupProtocol, autoOffsetReset: 'earliest', autoCommit: false } as const
      const first = new RecordingMember(fx.broker.bootstrapServers, options)
      const firstSeen: bigint[] = []
      try {
        first.subscribe([topic])
        for await (const message of first.consumer) {
          firstSeen.push(message.offset)
          if (message.offset === 5n) {
            await first.consumer.commit()
            break
          }
        }
        // Read past the commit without committing: these must come again.
        for await (const message of first.consumer) {
          firstSeen.push(message.offset)
          if (message.offset === 7n) break
        }
      } finally {
        await first.consumer.close()
      }
      assert.deepEqual(firstSeen, [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n])
      const second = new RecordingMember(fx.broker.bootstrapServers, { ...options, autoCommit: true })
      const secondSeen: bigint[] = []
      try {
        second.subscribe([topic])
        for await (const message of second.consumer) {
          secondSeen.push(message.offset)
          if (message.offset === 9n) break
        }
      } finally {
        await second.consumer.close() // auto commit commits 10 on close
      }
      assert.deepEqual(secondSeen, [6n, 7n, 8n, 9n])
      const third = new RecordingMember(fx.broker.bootstrapServers, options)
      try {
        third.subscribe([topic])
        await third.until(() => third.owned().length === 1)
        const [committed] = await third.consumer.committed([{ topic, partition: 0 }])
        assert.equal(committed?.offset, 10n)
      } finally {
        await third.consumer.close()
      }
    },
  )
}

for (const groupProtocol of ['classic', 'consumer'] as const) {
  test(
    `${groupProtocol}: a static member that restarts within the session timeout gets its partitions back without a rebalance`,
    { timeout: 30_000 },
    async () => {
      const topic = await topicWithMessages(2, 0)
      const groupId = uniqueTopic('g')
      const options = { groupId, groupProtocol, partitionAssignors: ['range'] } as const
      const stay = new RecordingMember(fx.broker.bootstrapServers, { ...options, groupInstanceId: 'stay' })
      let restart = new RecordingMember(fx.broker.bootstrapServers, { ...options, groupInstanceId: 'restart' })
      try {
        stay.subscribe([topic])
        restart.subscribe([topic])
        await Promise.all([
          stay.until(() => stay.owned().length === 1),
          restart.until(() => restart.owned().length === 1),
        ])
        const before = {
          stay: stay.owned(),
          restart: restart.owned(),
          generation: stay.consumer.groupMetadata().generationId,
        }
        const revokedBefore = stay.revokedCalls.length
        await restart.consumer.close() // a static member does not send LeaveGroup
        const [group] = await fx.admin.describeGroups({ groups: [groupId] })
        assert.equal(group?.members.length, 2)
        restart = new RecordingMember(fx.broker.bootstrapServers, { ...options, groupInstanceId: 'restart' })
        restart.subscribe([topic])
        await restart.until(() => restart.owned().length === 1)
        assert.deepEqual(restart.owned(), before.restart)
        assert.deepEqual(stay.owned(), before.stay)
        assert.equal(restart.consumer.groupMetadata().generationId, before.generation)
        assert.equal(stay.consumer.groupMetadata().generationId, before.generation)
        assert.equal(stay.revokedCalls.length, revokedBefore)
      } finally {
        await restart.consumer.close()
        await stay.consumer.close()
      }
    },
  )
}

test('metrics report records-lag, records-lag-avg and records-lag-max per partition', { timeout: 30_000 }, async () => {
  const topic = await topicWithMessages(1, 20, true)
  const member = new RecordingMember(fx.broker.bootstrapServers, {
    groupId: uniqueTopic('g'),
    autoOffsetReset: 'earliest',
    maxPartitionFetchBytes: 1, // one batch per fetch, so the lag is sampled while it shrinks
  })
  try {
    member.subscribe([topic])
    let count = 0
    for await (const message of member.consumer) {
      if (++count === 20 || message.offset === 19n) break
    }
    const metrics = member.consumer.metrics()
    const [partition] = metrics.partitions
    assert.equal(partition?.highWatermark, 20n)
    assert.equal(partition?.['records-lag'], 0)
    assert.equal(metrics['records-lag-max'], 0)
    assert.ok((partition?.['records-lag-max'] ?? 0) > 0)
    assert.ok((partition?.['records-lag-avg'] ?? 0) > 0)
    assert.ok((partition?.['records-lag-avg'] ?? 0) <= (partition?.['records-lag-max'] ?? 0))
  } finally {
    await member.consumer.close()
  }
})

for (const groupProtocol of ['classic', 'consumer'] as const) {
  test(
    `${groupProtocol}: a pattern subscription takes every matching topic and no other, also topics created later`,
    { timeout: 30_000 },
    async () => {
      const prefix = uniqueTopic('pattern')
      await fx.admin.createTopics({
        topics: [`${prefix}-a`, `${prefix}-b`, `${prefix}x-c`].map((topic) => ({ topic })),
      })
      const member = new RecordingMember(fx.broker.bootstrapServers, {
        groupId: uniqueTopic('g'),
        groupProtocol,
        metadataMaxAgeMs: 200, // how often the pattern is matched again
      })
      try {
        member.subscribe(new RegExp(`^${prefix}-`))
        await member.until(() => member.owned().length === 2)
        assert.deepEqual(member.owned(), [`${prefix}-a-0000`, `${prefix}-b-0000`])
        await fx.admin.createTopics({ topics: [{ topic: `${prefix}-d` }] })
        await member.until(() => member.owned().length === 3)
        assert.deepEqual(member.owned(), [`${prefix}-a-0000`, `${prefix}-b-0000`, `${prefix}-d-0000`])
      } finally {
        await member.consumer.close()
      }
    },
  )
}

test('classic: partitions added to a subscribed topic are assigned after a rejoin', { timeout: 30_000 }, async () => {
  const topic = await topicWithMessages(1, 0)
  const member = new RecordingMember(fx.broker.bootstrapServers, { groupId: uniqueTopic('g'), metadataMaxAgeMs: 200 })
  try {
    member.subscribe([topic])
    await member.until(() => member.owned().length === 1)
    await fx.admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })
    await member.until(() => member.owned().length === 3)
  } finally {
    await member.consumer.close()
  }
})

test(
  'classic: a member removed by an administrator hears onPartitionsLost, then rejoins',
  { timeout: 30_000 },
  async () => {
    const topic = await topicWithMessages(2, 0)
    const groupId = uniqueTopic('g')
    const member = new RecordingMember(fx.broker.bootstrapServers, { groupId, groupInstanceId: 'removable' })
    try {
      member.subscribe([topic])
      await member.until(() => member.owned().length === 2)
      const memberIdBefore = member.consumer.groupMetadata().memberId
      await fx.admin.removeMembersFromConsumerGroup({ groupId, groupInstanceIds: ['removable'] })
      // The next heartbeat answers UNKNOWN_MEMBER_ID: the partitions are lost (not revoked: no commit), and the
      // member joins again under a new member id.
      await member.until(() => member.lostCalls.length === 1 && member.owned().length === 2)
      assert.deepEqual(member.lostCalls[0]?.map((p) => p.partition).sort(), [0, 1])
      assert.equal(member.revokedCalls.length, 0)
      assert.notEqual(member.consumer.groupMetadata().memberId, memberIdBefore)
    } finally {
      await member.consumer.close()
    }
  },
)

test('unsubscribe leaves the group and commits; subscribe again joins afresh', { timeout: 30_000 }, async () => {
  const topic = await topicWithMessages(1, 5)
  const groupId = uniqueTopic('g')
  const member = new RecordingMember(fx.broker.bootstrapServers, { groupId, autoOffsetReset: 'earliest' })
  try {
    member.subscribe([topic])
    for await (const message of member.consumer) if (message.offset === 2n) break
    await member.consumer.unsubscribe()
    assert.deepEqual(member.consumer.assignment(), [])
    assert.deepEqual(
      member.revokedCalls.map((c) => c.length),
      [1],
    )
    const [group] = await fx.admin.describeGroups({ groups: [groupId] })
    assert.equal(group?.members.length, 0)
    member.subscribe([topic])
    for await (const message of member.consumer) {
      assert.equal(message.offset, 3n) // auto commit committed 3 when the partition was revoked
      break
    }
  } finally {
    await member.consumer.close()
  }
})
