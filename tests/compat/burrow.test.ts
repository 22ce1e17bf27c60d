// Burrow 1.2.1 (Debian, LinkedIn's lag monitor; it needs ZooKeeper for itself, Debian's zookeeper 3.8) pointed at a
// Samsa broker. Burrow finds consumer groups only by consuming __consumer_offsets and decoding Kafka's binary
// offset-commit records, and finds end offsets through Metadata and ListOffsets: so a group it lists, with the
// lag it computes, shows that Samsa writes Kafka's exact record format (CLIENTS.md §1.2).
//
// The group's offsets are committed over the wire (OffsetCommit v2, generation -1: a consumer outside any
// rebalance), so the expected lag per partition is known exactly.

import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Connection } from '@samsa/net'
import { CreateTopics, OffsetCommit, Produce, buildRecordBatch } from '@samsa/protocol'
import { freePort, waitForPort } from '@samsa/testkit'
import { spawnTracked, stopChild } from './lib/processes.ts'
import { startTarget, targetKind, type Target } from './lib/target.ts'

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar'
const TOPIC = 'burrow-orders'
const GROUP = 'burrow-group'
const PRODUCED = [100, 80, 60]
const COMMITTED = [40, 80, 10]
const DEADLINE_MS = 90_000

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url)
  return (await response.json()) as Record<string, unknown>
}

let target: Target
let work: string
const children: ReturnType<typeof spawnTracked>[] = []

before(async () => {
  target = await startTarget([{ name: TOPIC, partitions: PRODUCED.length }])
  work = await mkdtemp(join(tmpdir(), 'samsa-burrow-'))
})

after(async () => {
  for (const child of children.reverse()) await stopChild(child)
  await target?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

test(
  'Burrow lists the group and its per-partition lag, read from __consumer_offsets',
  { timeout: DEADLINE_MS + 30_000 },
  async (t) => {
    if (targetKind() === 'mock') return t.skip('the librdkafka mock keeps commits in memory, not in __consumer_offsets')
    const deadline = Date.now() + DEADLINE_MS

    // The topic, records and committed offsets, over the wire.
    const conn = await Connection.connect({ host: target.host, port: target.port, clientId: 'burrow-test-setup' })
    try {
      const created = await conn.request(
        CreateTopics,
        5,
        CreateTopics.request.make({
          topics: [{ name: TOPIC, numPartitions: PRODUCED.length, replicationFactor: 1 }],
          timeoutMs: 10_000,
        }),
      )
      assert.equal(created.topics[0]?.errorCode, 0)
      for (const [partition, count] of PRODUCED.entries()) {
        const records = Array.from({ length: count }, (_, i) => ({
          key: Buffer.from(`k${i}`),
          value: Buffer.from(`v${i}`),
        }))
        const res = await conn.request(
          Produce,
          8,
          Produce.request.make({
            acks: -1,
            timeoutMs: 10_000,
            topicData: [{ name: TOPIC, partitionData: [{ index: partition, records: buildRecordBatch({ records }) }] }],
          }),
        )
        assert.equal(res.responses[0]?.partitionResponses[0]?.errorCode, 0)
      }
      const commit = await conn.request(
        OffsetCommit,
        2,
        OffsetCommit.request.make({
          groupId: GROUP,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          topics: [
            {
              name: TOPIC,
              partitions: COMMITTED.map((offset, partitionIndex) => ({
                partitionIndex,
                committedOffset: BigInt(offset),
                committedMetadata: '',
              })),
            },
          ],
        }),
      )
      assert.deepEqual(
        commit.topics[0]?.partitions.map((p) => p.errorCode),
        [0, 0, 0],
      )
    } finally {
      await conn.close()
    }

    // A private ZooKeeper for Burrow's own coordination.
    const zkPort = await freePort()
    await mkdir(join(work, 'zk-data'), { recursive: true })
    await writeFile(
      join(work, 'zoo.cfg'),
      `tickTime=2000\ndataDir=${join(work, 'zk-data')}\nclientPort=${zkPort}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`,
    )
    children.push(
      spawnTracked(
        'java',
        [
          '-cp',
          `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          join(work, 'zoo.cfg'),
        ],
        {
          stdio: 'ignore',
        },
      ),
    )
    await waitForPort('127.0.0.1', zkPort, deadline - Date.now())

    const httpPort = await freePort()
    const burrowDir = join(work, 'burrow')
    await mkdir(burrowDir, { recursive: true })
    await writeFile(
      join(burrowDir, 'burrow.toml'),
      [
        '[general]',
        `pidfile="${join(burrowDir, 'burrow.pid')}"`,
        '[logging]',
        'level="warn"',
        '[zookeeper]',
        `servers=["127.0.0.1:${zkPort}"]`,
        'timeout=6',
        'root-path="/burrow"',
        '[client-profile.samsa]',
        'client-id="burrow-compat"',
        'kafka-version="2.1.0"',
        '[cluster.local]',
        'class-name="kafka"',
        `servers=["${target.bootstrap}"]`,
        'client-profile="samsa"',
        'topic-refresh=5',
        'offset-refresh=2',
        '[consumer.local]',
        'class-name="kafka"',
        'cluster="local"',
        `servers=["${target.bootstrap}"]`,
        'client-profile="samsa"',
        '[httpserver.default]',
        `address="127.0.0.1:${httpPort}"`,
        '[storage.default]',
        'class-name="inmemory"',
        'workers=2',
        'intervals=10',
        'expire-group=604800',
        'min-distance=1',
        '',
      ].join('\n'),
    )
    // Burrow exits when ZooKeeper is not serving yet (its port can listen a moment before): start it again until
    // its HTTP server answers.
    let burrowLog = ''
    for (;;) {
      const burrow = spawnTracked('Burrow', ['-config-dir', burrowDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: burrowDir,
      })
      children.push(burrow)
      burrow.stdout?.on('data', (d: Buffer) => (burrowLog += d.toString()))
      burrow.stderr?.on('data', (d: Buffer) => (burrowLog += d.toString()))
      const exited = new Promise<'exited'>((resolve) => burrow.once('exit', () => resolve('exited')))
      const up = waitForPort('127.0.0.1', httpPort, deadline - Date.now()).then(() => 'up' as const)
      if ((await Promise.race([up, exited])) === 'up') break
      assert.ok(Date.now() < deadline, `Burrow did not start:\n${burrowLog.slice(-2000)}`)
      await rm(join(burrowDir, 'burrow.pid'), { force: true })
      await new Promise((r) => setTimeout(r, 1000))
    }
    const base = `http://127.0.0.1:${httpPort}/v3/kafka/local`

    let lag: Record<string, unknown> | undefined
    while (Date.now() < deadline) {
      const groups = (await getJson(`${base}/consumer`)).consumers as string[] | undefined
      if (groups?.includes(GROUP)) {
        lag = await getJson(`${base}/consumer/${GROUP}/lag`)
        const partitions = (lag.status as { partitions?: { current_lag: number }[] } | undefined)?.partitions
        if (partitions?.length === PRODUCED.length) break
      }
      await new Promise((r) => setTimeout(r, 1000))
    }
    assert.ok(lag !== undefined, `Burrow never listed ${GROUP}:\n${burrowLog.slice(-3000)}`)
    const status = lag.status as {
      partitions: { topic: string; partition: number; current_lag: number; end: { offset: number } }[]
    }
    const byPartition = [...status.partitions].sort((a, b) => a.partition - b.partition)
    assert.deepEqual(
      byPartition.map((p) => ({ topic: p.topic, partition: p.partition, committed: p.end.offset, lag: p.current_lag })),
      PRODUCED.map((produced, partition) => ({
        topic: TOPIC,
        partition,
        committed: COMMITTED[partition],
        lag: produced - (COMMITTED[partition] as number),
      })),
    )
  },
)
