// The consumer-group scenario every client runs (one broker per test file), for each group protocol it speaks:
//   a topic of GROUP_PARTITIONS partitions gets a round of records per step, produced over the wire (producing is
//   tested elsewhere); member A joins alone and reads round 1; member B joins (A must lose partitions: rebalance on
//   join) and together they read round 2; B leaves (A must get everything back: rebalance on leave) and A reads
//   round 3; A stops, committing; the committed offsets are the end offsets; round 4 is produced and a fresh member
//   of the same group resumes exactly at the committed offsets (nothing lost, nothing read again).
// Members are whatever the client drives (a child process or an in-process consumer); they report what they were
// assigned and every record they processed.

import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { Connection } from '@samsa/net'
import { CreateTopics, OffsetFetch, Produce, buildRecordBatch } from '@samsa/protocol'
import { stopChild } from './processes.ts'
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

/** Round `round` of PER_ROUND keyed records into every partition, over the wire (producing is tested elsewhere). */
async function produceRoundOver(conn: Connection, topic: string, round: number): Promise<void> {
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

    const produceRound = (topic: string, round: number) => produceRoundOver(conn, topic, round)

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

// ---------------------------------------------------------------------------------------------------------------
// Members run by child programs, and two more scenarios (cooperative rebalancing, static membership) for clients
// that have them. Each scenario starts its own broker, like groupScenario.

/**
 * A member driven by a child program that prints JSON lines on stdout: {"assigned": [p, ...]} with its whole
 * assignment after every change, {"record": [p, o]} per processed record. A "stop" line on its stdin (or SIGTERM)
 * makes it close its consumer (committing; leaving the group unless it is a static member) and exit 0.
 */
export function childGroupMember(child: ChildProcess, name: string): GroupMember {
  const records: { partition: number; offset: number }[] = []
  const assignments: number[][] = []
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8_000)
  })
  child.stdin?.on('error', () => {}) // a child that died closed its stdin; its exit status says why
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: { assigned?: number[]; record?: [number, number] }
    try {
      event = JSON.parse(line) as typeof event
    } catch {
      return // a library that prints to stdout: not ours
    }
    if (event.assigned) assignments.push([...event.assigned].sort((x, y) => x - y))
    if (event.record) records.push({ partition: event.record[0], offset: event.record[1] })
  })
  let stopping = false
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      // a member that dies on its own would otherwise only show as a wait that timed out
      if (!stopping) console.error(`group member ${name} exited (${code ?? signal}); stderr tail:\n${stderr}`)
      resolve(code)
    }),
  )
  return {
    records,
    assignments,
    async stop() {
      stopping = true
      child.stdin?.end('stop\n')
      // closing commits and (for a dynamic member) leaves: bounded, then SIGTERM and SIGKILL
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 30_000)))
      const code = await Promise.race([exited, late])
      clearTimeout(timer)
      if (code === 'late') await stopChild(child, 5_000)
      if (code !== 0) assert.fail(`member ${name} did not close cleanly (${code}); stderr tail:\n${stderr}`)
    },
  }
}

/** Topic set-up, rounds of records and committed offsets, over the wire. */
export class GroupFixture {
  readonly conn: Connection
  readonly runId: string

  private constructor(conn: Connection, runId: string) {
    this.conn = conn
    this.runId = runId
  }

  static async connect(target: Target): Promise<GroupFixture> {
    const conn = await Connection.connect({ host: target.host, port: target.port, clientId: 'compat-group-setup' })
    return new GroupFixture(conn, randomBytes(3).toString('hex'))
  }

  async createTopic(topic: string): Promise<void> {
    const created = await this.conn.request(
      CreateTopics,
      5,
      CreateTopics.request.make({
        topics: [{ name: topic, numPartitions: GROUP_PARTITIONS, replicationFactor: 1 }],
        timeoutMs: 10_000,
      }),
    )
    assert.equal(created.topics[0]?.errorCode, 0)
  }

  /** Round `round` (1-based): PER_ROUND records on every partition, at offsets [(round-1)*PER_ROUND, round*PER_ROUND). */
  produceRound(topic: string, round: number): Promise<void> {
    return produceRoundOver(this.conn, topic, round)
  }

  async assertCommittedAtEnd(group: string, topic: string, rounds: number): Promise<void> {
    const fetched = await this.conn.request(
      OffsetFetch,
      5,
      OffsetFetch.request.make({ groupId: group, topics: [{ name: topic, partitionIndexes: [0, 1, 2, 3] }] }),
    )
    assert.deepEqual(
      fetched.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode]),
      [0, 1, 2, 3].map((p) => [p, BigInt(rounds * PER_ROUND), 0]),
      'committed offsets are the end offsets after every member stopped',
    )
  }

  close(): Promise<void> {
    return this.conn.close()
  }
}

/** Waits until the members together processed every record of round `round`. */
export function waitForRound(round: number, ...members: GroupMember[]): Promise<void> {
  return waitFor(
    `round ${round} was read`,
    () => expected((round - 1) * PER_ROUND, round * PER_ROUND).every((k) => seen(...members).has(k)),
    describeMembers(...members),
  )
}

const describeMembers =
  (...ms: GroupMember[]) =>
  () =>
    ms
      .map((m, i) => `member ${i}: ${m.records.length} records, assignments ${JSON.stringify(m.assignments)}`)
      .join('; ')

/** One describe with its own broker, driver and wire connection, and one test in it. */
function scenarioWithBroker<D extends { close?(): Promise<void> }>(
  title: string,
  makeDriver: (target: Target) => D | Promise<D>,
  test: (driver: D, fixture: GroupFixture) => Promise<void>,
): void {
  describe(title, () => {
    let target: Target
    let driver: D
    let fixture: GroupFixture
    before(async () => {
      target = await startTarget([])
      driver = await makeDriver(target)
      fixture = await GroupFixture.connect(target)
    })
    after(async () => {
      await fixture?.close()
      await driver?.close?.()
      await target?.close()
    })
    it(title, { timeout: 6 * WAIT_MS }, async (t) => {
      if (targetKind() === 'mock') return t.skip('the librdkafka mock is not the broker under test for groups')
      await test(driver, fixture)
    })
  })
}

/**
 * Cooperative (incremental) rebalancing, e.g. librdkafka's cooperative-sticky assignor: when B joins, A gives up
 * only the partitions that move to B, so A's assignment shrinks without ever becoming empty and every partition A
 * keeps is one it already had; B leaving gives everything back; nothing is lost and the final commit is the end.
 * The driver's members must use the cooperative assignor.
 */
export function cooperativeScenario(scenario: {
  client: string
  driver(target: Target): GroupDriver | Promise<GroupDriver>
}): void {
  scenarioWithBroker(
    `${scenario.client}: cooperative rebalancing keeps owned partitions on join and leave, nothing lost`,
    (target) => scenario.driver(target),
    async (driver, fixture) => {
      const topic = `grp-${scenario.client}-coop-${fixture.runId}`
      const group = `group-${scenario.client}-coop-${fixture.runId}`
      await fixture.createTopic(topic)
      const member = (name: string) => driver.startMember({ group, topic, name, protocol: 'classic' })

      await fixture.produceRound(topic, 1)
      const a = await member('a')
      await waitForRound(1, a)
      assert.equal(latest(a).length, GROUP_PARTITIONS, 'A alone owns every partition')
      const fullAt = a.assignments.length - 1

      const b = await member('b')
      await waitFor(
        'B joined and got partitions from A',
        () => latest(b).length > 0 && latest(a).length + latest(b).length === GROUP_PARTITIONS,
        describeMembers(a, b),
      )
      const history = a.assignments.slice(fullAt)
      for (let i = 1; i < history.length; i++) {
        const before = history[i - 1] ?? []
        const now = history[i] ?? []
        assert.ok(now.length > 0, `A was never left with nothing (eager revoke-all): ${JSON.stringify(history)}`)
        assert.ok(
          now.every((p) => before.includes(p)),
          `A only gave partitions up while B joined: ${JSON.stringify(history)}`,
        )
      }
      await fixture.produceRound(topic, 2)
      await waitForRound(2, a, b)

      const aBeforeLeave = latest(a)
      await b.stop()
      await waitFor('A got every partition back', () => latest(a).length === GROUP_PARTITIONS, describeMembers(a))
      const afterJoin = a.assignments.slice(a.assignments.lastIndexOf(aBeforeLeave))
      assert.ok(
        afterJoin.every((set) => aBeforeLeave.every((p) => set.includes(p))),
        `A kept its partitions while B left: ${JSON.stringify(afterJoin)}`,
      )
      await fixture.produceRound(topic, 3)
      await waitForRound(3, a)
      await a.stop()
      await fixture.assertCommittedAtEnd(group, topic, 3)
    },
  )
}

export interface StaticMemberOptions extends MemberOptions {
  /** group.instance.id (KIP-345). */
  instanceId: string
}

export interface StaticGroupDriver {
  /** Starts a static member; its stop() closes the consumer WITHOUT leaving the group (what a static member does). */
  startMember(options: StaticMemberOptions): Promise<GroupMember>
  close?(): Promise<void>
}

/**
 * Static membership (KIP-345): A and B are static members; B stops without leaving and a new process with B's
 * instance id comes back within the session timeout. It gets B's partitions back and resumes at B's commits, and
 * A sees no rebalance at all (its assignment history does not change).
 */
export function staticMembershipScenario(scenario: {
  client: string
  driver(target: Target): StaticGroupDriver | Promise<StaticGroupDriver>
}): void {
  scenarioWithBroker(
    `${scenario.client}: a static member restarted within the session timeout gets its partitions back, no rebalance`,
    (target) => scenario.driver(target),
    async (driver, fixture) => {
      const topic = `grp-${scenario.client}-static-${fixture.runId}`
      const group = `group-${scenario.client}-static-${fixture.runId}`
      await fixture.createTopic(topic)
      const member = (name: string, instanceId: string) =>
        driver.startMember({ group, topic, name, protocol: 'classic', instanceId })

      await fixture.produceRound(topic, 1)
      const a = await member('a', 'instance-a')
      await waitForRound(1, a)
      const b = await member('b', 'instance-b')
      await waitFor(
        'B joined and got partitions from A',
        () =>
          latest(b).length > 0 &&
          latest(a).length < GROUP_PARTITIONS &&
          latest(a).length + latest(b).length === GROUP_PARTITIONS,
        describeMembers(a, b),
      )
      await fixture.produceRound(topic, 2)
      await waitForRound(2, a, b)

      const aHistory = JSON.stringify(a.assignments)
      const bPartitions = latest(b)
      await b.stop()
      const bAgain = await member('b-again', 'instance-b')
      await waitFor('the restarted B got partitions', () => latest(bAgain).length > 0, describeMembers(a, bAgain))
      assert.deepEqual(latest(bAgain), bPartitions, 'the restarted static member got its old partitions back')
      await fixture.produceRound(topic, 3)
      await waitForRound(3, a, bAgain)
      assert.equal(JSON.stringify(a.assignments), aHistory, 'A saw no rebalance while B restarted')
      assert.deepEqual(
        bAgain.records.filter((r) => r.offset < 2 * PER_ROUND),
        [],
        "the restarted B resumed at the old B's commits",
      )
      await a.stop()
      await bAgain.stop()
      await fixture.assertCommittedAtEnd(group, topic, 3)
    },
  )
}
