// Group administration against an in-process broker: list (with state and type filters), describe classic and
// KIP-848 groups, lag, committed offsets, reset-offsets (dry run and for real, every target), offset deletion and
// group deletion.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startGroupTestBroker, RecordingMember } from '../group/group-testing.ts'
import { uniqueTopic } from '../testing.ts'
import { clientFixture } from '../test-fixture.ts'

const fx = clientFixture(startGroupTestBroker)

async function topicWithMessages(numPartitions: number, perPartition: number): Promise<string> {
  const topic = uniqueTopic('admin-group')
  await fx.admin.createTopics({ topics: [{ topic, numPartitions }] })
  for (let partition = 0; partition < numPartitions; partition++) {
    const messages = Array.from({ length: perPartition }, (_, i) => ({ value: `m${i}`, partition }))
    await fx.producer.send({ topic, messages })
  }
  return topic
}

for (const groupProtocol of ['classic', 'consumer'] as const) {
  test(`${groupProtocol} group: list with filters, describe, lag`, { timeout: 30_000 }, async () => {
    const topic = await topicWithMessages(2, 5)
    const groupId = uniqueTopic('g')
    const member = new RecordingMember(fx.broker.bootstrapServers, {
      groupId,
      groupProtocol,
      autoOffsetReset: 'earliest',
      autoCommit: false,
      clientId: 'lag-reader',
    })
    try {
      member.subscribe([topic])
      await member.until(() => member.owned().length === 2)
      await member.consumer.commit([
        { topic, partition: 0, offset: 3n },
        { topic, partition: 1, offset: 5n },
      ])
      const listed = (await fx.admin.listGroups()).find((g) => g.groupId === groupId)
      assert.equal(listed?.type, groupProtocol)
      assert.equal(listed?.state, 'Stable')
      const stableOfType = await fx.admin.listGroups({ states: ['Stable'], types: [groupProtocol] })
      assert.ok(stableOfType.some((g) => g.groupId === groupId))
      const empty = await fx.admin.listGroups({ states: ['Empty'] })
      assert.ok(!empty.some((g) => g.groupId === groupId))

      const [description] = await fx.admin.describeGroups({ groups: [groupId] })
      assert.equal(description?.type, groupProtocol)
      assert.equal(description?.state, 'Stable')
      assert.equal(description?.members.length, 1)
      assert.equal(description?.members[0]?.memberId, member.consumer.groupMetadata().memberId)
      assert.equal(description?.members[0]?.clientId, 'lag-reader')
      assert.deepEqual(description?.members[0]?.assignment.map((p) => p.partition).sort(), [0, 1])

      const lag = await fx.admin.describeGroupLag({ groupId })
      assert.deepEqual(
        lag.map((l) => [l.partition, l.committedOffset, l.logEndOffset, l.lag, l.memberId]),
        [
          [0, 3n, 5n, 2n, member.consumer.groupMetadata().memberId],
          [1, 5n, 5n, 0n, member.consumer.groupMetadata().memberId],
        ],
      )
    } finally {
      await member.consumer.close()
    }
  })
}

test(
  'reset offsets: dry run, earliest, latest, offset, shift-by, datetime; then delete offsets and the group',
  { timeout: 30_000 },
  async () => {
    const topic = await topicWithMessages(2, 10)
    const groupId = uniqueTopic('g')
    const member = new RecordingMember(fx.broker.bootstrapServers, { groupId, autoCommit: false })
    member.subscribe([topic])
    await member.until(() => member.owned().length === 2)
    await member.consumer.commit([
      { topic, partition: 0, offset: 4n },
      { topic, partition: 1, offset: 6n },
    ])
    // Offsets cannot be reset under an active member.
    await assert.rejects(fx.admin.resetOffsets({ groupId, topics: [topic], to: 'earliest' }), /has no members|Stable/)
    await member.consumer.close()

    const offsetsNow = async () =>
      (await fx.admin.listConsumerGroupOffsets({ groupId })).map((o) => [o.partition, o.offset]).sort()

    const plan = await fx.admin.resetOffsets({ groupId, topics: [topic], to: 'earliest', dryRun: true })
    assert.deepEqual(
      plan.map((e) => [e.partition, e.currentOffset, e.newOffset]),
      [
        [0, 4n, 0n],
        [1, 6n, 0n],
      ],
    )
    assert.deepEqual(await offsetsNow(), [
      [0, 4n],
      [1, 6n],
    ])

    await fx.admin.resetOffsets({ groupId, topics: [topic], to: 'earliest' })
    assert.deepEqual(await offsetsNow(), [
      [0, 0n],
      [1, 0n],
    ])
    await fx.admin.resetOffsets({ groupId, topics: [topic], to: { shiftBy: 3 } })
    assert.deepEqual(await offsetsNow(), [
      [0, 3n],
      [1, 3n],
    ])
    await fx.admin.resetOffsets({ groupId, partitions: [{ topic, partition: 1 }], to: { offset: 42n } }) // clamped to the end
    assert.deepEqual(await offsetsNow(), [
      [0, 3n],
      [1, 10n],
    ])
    await fx.admin.resetOffsets({ groupId, topics: [topic], to: { shiftBy: -100 } }) // clamped to the start
    assert.deepEqual(await offsetsNow(), [
      [0, 0n],
      [1, 0n],
    ])
    await fx.admin.resetOffsets({ groupId, topics: [topic], to: { datetime: Date.now() + 60_000 } }) // nothing that late
    assert.deepEqual(await offsetsNow(), [
      [0, 10n],
      [1, 10n],
    ])
    await fx.admin.resetOffsets({ groupId, topics: [topic], to: { datetime: new Date(0) } })
    assert.deepEqual(await offsetsNow(), [
      [0, 0n],
      [1, 0n],
    ])
    await fx.admin.resetOffsets({ groupId, topics: [topic], to: 'latest' })
    assert.deepEqual(await offsetsNow(), [
      [0, 10n],
      [1, 10n],
    ])

    // A consumer of the group now starts where the reset put it.
    await fx.admin.resetOffsets({ groupId, partitions: [{ topic, partition: 0 }], to: { offset: 8n } })
    const reader = new RecordingMember(fx.broker.bootstrapServers, { groupId, partitionAssignors: ['range'] })
    try {
      reader.subscribe([topic])
      for await (const message of reader.consumer) {
        assert.equal(message.partition, 0)
        assert.equal(message.offset, 8n)
        break
      }
    } finally {
      await reader.consumer.close()
    }

    await fx.admin.deleteOffsets({ groupId, partitions: [{ topic, partition: 1 }] })
    assert.deepEqual(
      (await offsetsNow()).map(([p]) => p),
      [0],
    )
    await fx.admin.deleteGroups({ groups: [groupId] })
    assert.ok(!(await fx.admin.listGroups()).some((g) => g.groupId === groupId))
  },
)

test('findGroupCoordinator names the broker that coordinates a group', async () => {
  const coordinator = await fx.admin.findGroupCoordinator({ groupId: uniqueTopic('g') })
  assert.equal(coordinator.nodeId, fx.broker.broker.nodeId)
  assert.equal(`${coordinator.host}:${coordinator.port}`, fx.broker.bootstrapServers)
})
