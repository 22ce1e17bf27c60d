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

/** Time bounds (ms). A working broker needs a few seconds per step; these only bound a hang. */
const TIMEOUT = {
  start: 120_000,
  create: 20_000,
  produce: 45_000,
  batches: 20_000,
  consume: 45_000,
  offsets: 20_000,
  delete: 20_000,
}
type StepKind = Exclude<keyof typeof TIMEOUT, 'start'>

/** A step ran out of time (thrown by the scenario's bound or by a driver whose client reported its own deadline). */
export class StepTimeout extends Error {}

export function compatScenario(scenario: Scenario): void {
  const runId = randomBytes(3).toString('hex')
  const topicOf = (codec: Codec): string => `compat-${scenario.client}-${codec}-${runId}`
  let target: Target | undefined
  let driver: ClientDriver | undefined
  let workDir: string | undefined
  /** A step kind that ran out of time for one codec is not tried again for the next ones (a hang costs once). */
  const timedOut = new Map<StepKind, Codec>()

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
    const failed = new Set<StepKind>()
    let deliveries: Delivery[] | undefined
    let counts: number[] | undefined

    type Body = (t: TestContext, s: Step, d: ClientDriver, tg: Target) => Promise<void>
    /** A step that skips when a step it needs did not pass, and fails with a StepTimeout when it runs out of time. */
    const step = (kind: StepKind, name: string, needs: readonly StepKind[], fn: Body): void => {
      const timeoutMs = TIMEOUT[kind]
      // node:test's own timeout is the backstop; the step's bound fires first and aborts the step's work
      it(name, { timeout: timeoutMs + 10_000 }, async (t) => {
        const blocker = needs.find((n) => failed.has(n))
        const hung = timedOut.get(kind)
        if (blocker !== undefined || hung !== undefined) {
          failed.add(kind)
          return t.skip(blocker ? `needs ${blocker}, which did not pass` : `${kind} ran out of time with codec ${hung}`)
        }
        const abort = new AbortController()
        t.signal.addEventListener('abort', () => abort.abort(t.signal.reason), { once: true })
        let timer: NodeJS.Timeout | undefined
        const bound = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new StepTimeout(`${kind} did not finish within ${timeoutMs} ms`)
            abort.abort(error)
            reject(error)
          }, timeoutMs)
        })
        try {
          assert.ok(driver && target, 'the broker or the client did not start')
          await Promise.race([fn(t, { signal: abort.signal, timeoutMs: timeoutMs - 1_000 }, driver, target), bound])
        } catch (error) {
          failed.add(kind)
          if (error instanceof StepTimeout) timedOut.set(kind, codec)
          throw error
        } finally {
          clearTimeout(timer)
        }
      })
    }

    step('create', 'create topic through the admin API', [], async (t, s, d, tg) => {
      if (!d.createTopic) return t.skip('the client has no admin API: the broker auto-creates the topic on produce')
      if (!tg.hasAdmin) return t.skip('the librdkafka mock has no CreateTopics: topic made at mock start-up')
      await d.createTopic(topic, PARTITIONS, s)
    })

    step('produce', `produce ${RECORD_COUNT} keyed records (${codec})`, ['create'], async (_t, s, d) => {
      deliveries = await d.produce(topic, codec, records, s)
    })

    step(
      'batches',
      `the broker holds v2 record batches compressed with ${codec}`,
      ['produce'],
      async (_t, _s, _d, tg) => {
        verifyStoredBatches(await storedBatches(tg.host, tg.port, topic, PARTITIONS), CODEC_ID[codec])
      },
    )

    step('consume', 'consume all partitions by assignment and compare bytes', ['produce'], async (_t, s, d) => {
      const consumed = await d.consume(topic, PARTITIONS, s)
      counts = verifyConsumed(records, consumed, PARTITIONS)
      if (deliveries) verifyDeliveries(deliveries, consumed, records.length)
    })

    step('offsets', 'list offsets', ['produce'], async (_t, s, d) => {
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

    step('delete', 'delete topic through the admin API', ['create'], async (t, s, d, tg) => {
      if (!d.deleteTopic) return t.skip('the client has no admin API')
      if (!tg.hasAdmin) return t.skip('the librdkafka mock has no DeleteTopics')
      await d.deleteTopic(topic, s)
    })
  }
}
