// The consumer-group scenario every client runs (one broker per test file), for each group protocol it speaks:
//   a topic of GROUP_PARTITIONS partitions gets a round of records per step, produced over the wire (producing is
//   tested elsewhere); member A joins alone and reads round 1; member B joins (A must lose partitions: rebalance on
//   join) and together they read round 2; B leaves (A must get everything back: rebalance on leave) and A reads
//   round 3; A stops, committing; the committed offsets are the end offsets; round 4 is produced and a fresh member
//   of the same group resumes exactly at the committed offsets (nothing lost, nothing read again).
// Members are whatever the client drives (a child process or an in-process consumer); they report what they were
// assigned and every record they processed.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Connection } from '@samsa/net'
import { CreateTopics, OffsetFetch, Produce, buildRecordBatch } from '@samsa/protocol'
import { startTarget, targetKind, type Target } from './target.ts'

export const GROUP_PARTITIONS = 4
const PER_ROUND = 30
const WAIT_MS = 60_000

export interface MemberOptions {
  group: string
  topic: string
  /** A name for logs and client ids. */
  name: string
  protocol: GroupProtocol
}

export type GroupProtocol = 'classic' | 'consumer'

export interface GroupMember {
  /** Every (partition, offset) the member processed, in order. */
  readonly records: readonly { partition: number; offset: number }[]
  /** The member's partitions after each rebalance, oldest first. */
  readonly assignments: readonly (readonly number[])[]
  /** Leaves the group cleanly, committing what it processed. */
  stop(): Promise<void>
}

export interface GroupDriver {
  startMember(options: MemberOptions): Promise<GroupMember>
  close?(): Promise<void>
}

export interface GroupScenario {
  client: string
  protocols: readonly GroupProtocol[]
  driver(target: Target): GroupDriver | Promise<GroupDriver>
}

async function waitFor(what: string, predicate: () => boolean, describeState: () => string): Promise<void> {
  const deadline = Date.now() + WAIT_MS
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}; ${describeState()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Offsets [from, to) of every partition, as "p:o" strings. */
function expected(from: number, to: number): string[] {
  const out: string[] = []
  for (let p = 0; p < GROUP_PARTITIONS; p++) for (let o = from; o < to; o++) out.push(`${p}:${o}`)
  return out
}

function seen(...members: GroupMember[]): Set<string> {
  return new Set(members.flatMap((m) => m.records.map((r) => `${r.partition}:${r.offset}`)))
}

const latest = (m: GroupMember): readonly number[] => m.assignments.at(-1) ?? []

export function groupScenario(scenario: GroupScenario): void {
  const runId = randomBytes(3).toString('hex')
  describe(`${scenario.client}: consumer groups`, () => {
    let target: Target
    let driver: GroupDriver
    let conn: Connection
    before(async () => {
      target = await startTarget([])
      driver = await scenario.driver(target)
      conn = await Connection.connect({ host: target.host, port: target.port, clientId: 'compat-group-setup' })
    })
    after(async () => {
      await conn?.close()
      await driver?.close?.()
      await target?.close()
    })

    const produceRound = async (topic: string, round: number) => {
      for (let partition = 0; partition < GROUP_PARTITIONS; partition++) {
        const records = Array.from({ length: PER_ROUND }, (_, i) => ({
          key: Buffer.from(`k${partition}-${i}`),
          value: Buffer.from(`round ${round} record ${i}`),
        }))
        const res = await conn.request(
          Produce,
          8,
          Produce.request.make({
            acks: -1,
            timeoutMs: 10_000,
            topicData: [{ name: topic, partitionData: [{ index: partition, records: buildRecordBatch({ records }) }] }],
          }),
        )
        assert.equal(res.responses[0]?.partitionResponses[0]?.errorCode, 0)
      }
    }

    for (const protocol of scenario.protocols) {
      it(
        `${protocol} protocol: rebalance on join and leave, commit, resume from the committed offsets`,
        { timeout: 6 * WAIT_MS },
        async (t) => {
          if (targetKind() === 'mock') return t.skip('the librdkafka mock is not the broker under test for groups')
          const topic = `grp-${scenario.client}-${protocol}-${runId}`
          const group = `group-${scenario.client}-${protocol}-${runId}`
          const created = await conn.request(
            CreateTopics,
            5,
            CreateTopics.request.make({
              topics: [{ name: topic, numPartitions: GROUP_PARTITIONS, replicationFactor: 1 }],
              timeoutMs: 10_000,
            }),
          )
          assert.equal(created.topics[0]?.errorCode, 0)
          const member = (name: string) => driver.startMember({ group, topic, name, protocol })
          const state =
            (...ms: GroupMember[]) =>
            () =>
              ms
                .map((m, i) => `member ${i}: ${m.records.length} records, assignments ${JSON.stringify(m.assignments)}`)
                .join('; ')

          await produceRound(topic, 1)
          const a = await member('a')
          await waitFor('A alone read round 1', () => expected(0, PER_ROUND).every((k) => seen(a).has(k)), state(a))
          assert.equal(latest(a).length, GROUP_PARTITIONS, 'A alone owns every partition')

          const b = await member('b')
          await waitFor(
            'B joined and got partitions from A',
            () =>
              latest(b).length > 0 &&
              latest(a).length < GROUP_PARTITIONS &&
              latest(a).length + latest(b).length === GROUP_PARTITIONS,
            state(a, b),
          )
          await produceRound(topic, 2)
          await waitFor(
            'A and B read round 2',
            () => expected(PER_ROUND, 2 * PER_ROUND).every((k) => seen(a, b).has(k)),
            state(a, b),
          )

          await b.stop()
          await waitFor(
            'A got every partition back after B left',
            () => latest(a).length === GROUP_PARTITIONS,
            state(a),
          )
          await produceRound(topic, 3)
          await waitFor(
            'A read round 3',
            () => expected(2 * PER_ROUND, 3 * PER_ROUND).every((k) => seen(a).has(k)),
            state(a),
          )
          await a.stop()

          const fetched = await conn.request(
            OffsetFetch,
            5,
            OffsetFetch.request.make({ groupId: group, topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3] }] }),
          )
          assert.deepEqual(
            fetched.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode]),
            [0, 1, 2, 3].map((p) => [p, BigInt(3 * PER_ROUND), 0]),
            'committed offsets are the end offsets after A stopped',
          )

          await produceRound(topic, 4)
          const again = await member('a-again')
          await waitFor(
            'the restarted member read round 4',
            () => expected(3 * PER_ROUND, 4 * PER_ROUND).every((k) => seen(again).has(k)),
            state(again),
          )
          await again.stop()
          const reread = again.records.filter((r) => r.offset < 3 * PER_ROUND)
          assert.deepEqual(reread, [], 'nothing before the committed offsets is read again')
        },
      )
    }
  })
}
