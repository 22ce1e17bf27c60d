// The scenario every client runs (one node:test file per client, one broker per file): for each compression codec
// the client supports, on its own topic with PARTITIONS partitions:
//   create the topic with the client's admin API (where it has one), produce RECORD_COUNT keyed records, consume
//   them all back by partition assignment (no consumer group) and compare bytes, list offsets, delete the topic.
// A step that fails makes the later steps of the same codec skip, naming the failed step.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it, type TestContext } from 'node:test'
import {
  makeRecords,
  PARTITIONS,
  RECORD_COUNT,
  verifyConsumed,
  verifyDeliveries,
  verifyOffsets,
  type ConsumedRecord,
  type Delivery,
  type PartitionOffsets,
  type RecordShape,
  type TestRecord,
} from './records.ts'
import { startTarget, targetKind, type Target } from './target.ts'
import { storedBatches, verifyStoredBatches } from './wire.ts'

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export const ALL_CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
/** The record batch attribute bits 0-2 for each codec. */
const CODEC_ID: Record<Codec, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

export interface Step {
  signal: AbortSignal
  /** The step's time bound; drivers that run child processes give them a little less. */
  timeoutMs: number
}

export interface ClientDriver {
  /** Creates the topic through the client's admin API; absent when the client has none (it relies on auto-create). */
  createTopic?(topic: string, partitions: number, step: Step): Promise<void>
  /** Produces the records in order (keyed; the client's partitioner picks partitions); returns delivery reports if the client gives them. */
  produce(topic: string, codec: Codec, records: readonly TestRecord[], step: Step): Promise<Delivery[] | undefined>
  /** Reads partitions 0..partitions-1 from offset 0 by assignment until each reaches its high watermark. */
  consume(topic: string, partitions: number, step: Step): Promise<ConsumedRecord[]>
  /** Earliest and latest offsets of each partition through the client's ListOffsets API. */
  listOffsets(topic: string, partitions: number, step: Step): Promise<PartitionOffsets[]>
  deleteTopic?(topic: string, step: Step): Promise<void>
  close?(): Promise<void>
}

export interface Scenario {
  /** Client name for test titles and topic names. */
  client: string
  codecs: readonly Codec[]
  shape: RecordShape
  /** Why some codec or feature is left out, shown as a skipped test. */
  notes?: string[]
  driver(target: Target, workDir: string): ClientDriver | Promise<ClientDriver>
}

const TIMEOUT = { start: 120_000, create: 30_000, produce: 90_000, consume: 90_000, offsets: 30_000, delete: 30_000 }

export function compatScenario(scenario: Scenario): void {
  const runId = randomBytes(3).toString('hex')
  const topicOf = (codec: Codec): string => `compat-${scenario.client}-${codec}-${runId}`
  let target: Target | undefined
  let driver: ClientDriver | undefined
  let workDir: string | undefined

  describe(`${scenario.client} against ${targetKind()}`, () => {
    before(
      async () => {
        workDir = await mkdtemp(join(tmpdir(), `compat-${scenario.client}-`))
        target = await startTarget(scenario.codecs.map((codec) => ({ name: topicOf(codec), partitions: PARTITIONS })))
        driver = await scenario.driver(target, workDir)
      },
      { timeout: TIMEOUT.start },
    )
    after(
      async () => {
        try {
          await driver?.close?.()
        } finally {
          await target?.close()
          if (workDir) await rm(workDir, { recursive: true, force: true })
        }
      },
      { timeout: TIMEOUT.start },
    )

    for (const note of scenario.notes ?? []) it(note, { skip: note })

    for (const codec of scenario.codecs) {
      describe(`codec ${codec}`, () => codecSteps(topicOf(codec), codec))
    }
  })

  function codecSteps(topic: string, codec: Codec): void {
    const records = makeRecords(scenario.shape)
    const failed = new Set<string>()
    let deliveries: Delivery[] | undefined
    let counts: number[] | undefined

    type Body = (t: TestContext, s: Step, d: ClientDriver, tg: Target) => Promise<void>
    /** A step that skips when a step it needs failed or was blocked itself. */
    const step = (name: string, needs: readonly string[], timeoutMs: number, fn: Body): void => {
      it(name, { timeout: timeoutMs }, async (t) => {
        const blocker = needs.find((n) => failed.has(n))
        if (blocker !== undefined) {
          failed.add(name)
          return t.skip(`needs "${blocker}", which did not pass`)
        }
        try {
          assert.ok(driver && target, 'the broker or the client did not start')
          await fn(t, { signal: t.signal, timeoutMs: timeoutMs - 2_000 }, driver, target)
        } catch (error) {
          failed.add(name)
          throw error
        }
      })
    }

    const create = 'create topic through the admin API'
    const produce = `produce ${RECORD_COUNT} keyed records (${codec})`
    const consume = 'consume all partitions by assignment and compare bytes'

    step(create, [], TIMEOUT.create, async (t, s, d, tg) => {
      if (!d.createTopic) return t.skip('the client has no admin API: the broker auto-creates the topic on produce')
      if (!tg.hasAdmin) return t.skip('the librdkafka mock has no CreateTopics: topic made at mock start-up')
      await d.createTopic(topic, PARTITIONS, s)
    })

    step(produce, [create], TIMEOUT.produce, async (_t, s, d) => {
      deliveries = await d.produce(topic, codec, records, s)
    })

    step(
      `the broker holds v2 record batches compressed with ${codec}`,
      [produce],
      TIMEOUT.offsets,
      async (_t, _s, _d, tg) => {
        verifyStoredBatches(await storedBatches(tg.host, tg.port, topic, PARTITIONS), CODEC_ID[codec])
      },
    )

    step(consume, [produce], TIMEOUT.consume, async (_t, s, d) => {
      const consumed = await d.consume(topic, PARTITIONS, s)
      counts = verifyConsumed(records, consumed, PARTITIONS)
      if (deliveries) verifyDeliveries(deliveries, consumed, records.length)
    })

    step('list offsets', [produce], TIMEOUT.offsets, async (_t, s, d) => {
      const offsets = await d.listOffsets(topic, PARTITIONS, s)
      if (counts) return verifyOffsets(offsets, counts)
      // consume failed, so the per-partition counts are unknown: check what can be checked without them
      assert.equal(offsets.length, PARTITIONS, 'ListOffsets partitions')
      assert.deepEqual(
        offsets.map((o) => o.earliest),
        offsets.map(() => 0),
        'ListOffsets earliest offsets',
      )
      assert.equal(
        offsets.reduce((sum, o) => sum + o.latest, 0),
        records.length,
        'sum of ListOffsets latest offsets',
      )
    })

    step('delete topic through the admin API', [create], TIMEOUT.delete, async (t, s, d, tg) => {
      if (!d.deleteTopic) return t.skip('the client has no admin API')
      if (!tg.hasAdmin) return t.skip('the librdkafka mock has no DeleteTopics')
      await d.deleteTopic(topic, s)
    })
  }
}
