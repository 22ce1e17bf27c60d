// The transactions scenario every transactional client runs (issue 5), each file with its own broker:
//   1. one transactional producer (one transactional.id) commits a transaction, aborts one, commits another, each
//      spanning every partition of a TXN_PARTITIONS-partition topic; a raw read_uncommitted Fetch (our own codecs,
//      no client library) must show every record of all three in order, each transaction followed on each partition
//      by its COMMIT or ABORT control batch, and the last stable offset at the high watermark;
//   2. a read_committed consumer (the client's own where it has one, else kcat) reads the topic from the beginning
//      and must see exactly the committed records, in order per partition, and not one aborted record;
//   3. consume-transform-produce: the client consumes an input topic in a group without committing, and in one
//      transaction produces the upper-cased first half to an output topic and sends the offsets of the first half
//      to the group (send_offsets_to_transaction / sendOffsets), commits; in a second transaction the rest and
//      the end offsets, aborted. The group's committed offsets (raw OffsetFetch, requireStable) are the first
//      half's, and a read_committed reader sees only the first half's output;
//   4. fencing: a producer begins a transaction and sends, a second producer with the same transactional.id
//      initialises and commits its own; the first one's commit fails with the client's fenced error, its records
//      are stored followed by an ABORT marker (written when the second producer initialised), and read_committed
//      readers never see them.
//   5. transaction.timeout.ms: a producer with a 3 s transaction timeout sends and then stays idle past it (and past
//      Kafka's default 10 s abort check interval); the broker must abort the transaction on its own while the
//      producer is idle (ABORT markers, last stable offset back at the high watermark, seen over the wire), and the
//      producer's late commit fails as fenced.
// Steps a client cannot do are skipped with the reason its driver gives.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Connection } from '@samsa/net'
import {
  ControlRecordTypes,
  CreateTopics,
  Fetch,
  OffsetFetch,
  Produce,
  buildRecordBatch,
  decodeBatchRecords,
  readControlRecord,
  splitBatches,
} from '@samsa/protocol'
import { run } from './processes.ts'
import { startTarget, targetKind, type Target } from './target.ts'

export const TXN_PARTITIONS = 3
const PER_PARTITION = 4
const CTP_PER_PARTITION = 6
const STEP_MS = 60_000
/** Every step of a test is bounded by STEP_MS; a test has at most a few. */
const TEST_MS = 4 * STEP_MS
const KCAT = process.env.COMPAT_KCAT ?? 'kcat'
const UNSTABLE_OFFSET_COMMIT = 88
const TRANSACTION_TIMEOUT_MS = 3_000
/**
 * transaction.timeout.ms, then up to transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s), and slack for
 * a client program's start (the wait is measured from before the program starts, the idling from after it sent)
 */
const IDLE_MS = TRANSACTION_TIMEOUT_MS + 10_000 + 8_000

export type Outcome = 'commit' | 'abort'

export interface TxnRecord {
  partition: number
  value: string
}

export interface ReadRecord extends TxnRecord {
  offset: number
}

export interface Transaction {
  records: TxnRecord[]
  outcome: Outcome
}

export interface ProduceTransactionsOptions {
  topic: string
  partitions: number
  transactionalId: string
  /** Run in order by one producer; each ends with its outcome before the next begins. */
  transactions: Transaction[]
}

export interface ReadCommittedOptions {
  topic: string
  partitions: number
  /** The reader returns once it holds this many records (or more). */
  expected: number
}

export interface ConsumeTransformProduceOptions {
  input: string
  output: string
  partitions: number
  /** The consumer's group, which must not commit by itself; the offsets go through the transactions. */
  group: string
  transactionalId: string
  /** Input records per partition, at offsets 0..perPartition-1. */
  perPartition: number
  /**
   * After consuming every input record, one transaction per step: the records
   * with offsets below `upTo` not handled by an earlier step, each value upper-cased, to the same partition of
   * `output`; the offset `upTo` of every partition sent to `group`; then the outcome.
   */
  steps: { upTo: number; outcome: Outcome }[]
}

export interface FenceOptions {
  topic: string
  partitions: number
  transactionalId: string
  /** Sent by the first producer in a transaction it has not ended when the second producer starts. */
  first: TxnRecord[]
  /** Sent and committed by the second producer (same transactional.id). */
  second: TxnRecord[]
}

export interface TimeoutOptions {
  topic: string
  partitions: number
  transactionalId: string
  records: TxnRecord[]
  /** The producer's transaction.timeout.ms. */
  transactionTimeoutMs: number
  /** How long the producer stays idle after its records are delivered, before it tries to commit. */
  idleMs: number
}

/** A step the client has, or the reason it has not (the step is then skipped, or done by kcat for reading). */
export type Capability<F> = F | { skip: string }

export interface TxnDriver {
  produceTransactions(options: ProduceTransactionsOptions): Promise<void>
  /** Reads every partition from the beginning with isolation.level=read_committed. */
  readCommitted: Capability<(options: ReadCommittedOptions) => Promise<ReadRecord[]>>
  consumeTransformProduce: Capability<(options: ConsumeTransformProduceOptions) => Promise<void>>
  /** Resolves with the first producer's error on its commit; rejects if that commit succeeded. */
  fence: Capability<(options: FenceOptions) => Promise<string>>
  /** Resolves with the producer's error on its late commit; rejects if that commit succeeded. */
  timeout: Capability<(options: TimeoutOptions) => Promise<string>>
  close?(): Promise<void>
}

export interface TxnScenario {
  client: string
  driver(target: Target): TxnDriver | Promise<TxnDriver>
}

const has = <F>(c: Capability<F>): c is F => typeof c === 'function'

/** The error texts that mean "fenced by a newer producer" across clients and protocol versions. */
export const FENCED = /fenc|INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/i

const COMMIT = '<COMMIT>'
const ABORT = '<ABORT>'

/** `count` records per partition named `${prefix}-p${partition}-${i}`, interleaved across partitions. */
export function recordsFor(prefix: string, partitions: number, count: number): TxnRecord[] {
  const out: TxnRecord[] = []
  for (let i = 0; i < count; i++)
    for (let partition = 0; partition < partitions; partition++)
      out.push({ partition, value: `${prefix}-p${partition}-${i}` })
  return out
}

function valuesOf(records: readonly TxnRecord[], partition: number): string[] {
  return records.filter((r) => r.partition === partition).map((r) => r.value)
}

// ---------------------------------------------------------------------------------------------------------------
// Over the wire: our own codecs on one connection, no client library.

export interface PartitionLog {
  /** Record values and control markers (<COMMIT>, <ABORT>), in offset order. */
  tokens: string[]
  highWatermark: bigint
  lastStableOffset: bigint
}

export class TxnWire {
  readonly conn: Connection

  private constructor(conn: Connection) {
    this.conn = conn
  }

  static async connect(target: Target): Promise<TxnWire> {
    return new TxnWire(await Connection.connect({ host: target.host, port: target.port, clientId: 'compat-txn' }))
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    const created = await this.conn.request(
      CreateTopics,
      5,
      CreateTopics.request.make({
        topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1 }],
        timeoutMs: 10_000,
      }),
    )
    assert.equal(created.topics[0]?.errorCode, 0, `CreateTopics ${topic}`)
  }

  /** Non-transactional records, one batch per partition. */
  async produce(topic: string, records: readonly TxnRecord[]): Promise<void> {
    for (const partition of new Set(records.map((r) => r.partition))) {
      const batch = buildRecordBatch({
        records: valuesOf(records, partition).map((v) => ({ value: Buffer.from(v) })),
      })
      const res = await this.conn.request(
        Produce,
        8,
        Produce.request.make({
          acks: -1,
          timeoutMs: 10_000,
          topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
        }),
      )
      assert.equal(res.responses[0]?.partitionResponses[0]?.errorCode, 0, `Produce ${topic}/${partition}`)
    }
  }

  /** One partition from offset 0 to the high watermark, read_uncommitted (Fetch v4: isolation level 0). */
  async readUncommitted(topic: string, partition: number): Promise<PartitionLog> {
    const tokens: string[] = []
    let offset = 0n
    for (;;) {
      const res = await this.conn.request(
        Fetch,
        4,
        Fetch.request.make({
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 22,
          isolationLevel: 0,
          topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 22 }] }],
        }),
      )
      const p = res.responses[0]?.partitions[0]
      assert.ok(p !== undefined && p.errorCode === 0, `Fetch ${topic}/${partition}@${offset}: ${p?.errorCode}`)
      if (offset >= p.highWatermark)
        return { tokens, highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset }
      const batches = p.records ? splitBatches(p.records).batches : []
      assert.ok(batches.length > 0, `Fetch ${topic}/${partition}@${offset}: no batch below the high watermark`)
      for (const batch of batches) {
        if (batch.nextOffset <= offset) continue
        if (batch.isControlBatch) {
          const { type } = readControlRecord(batch)
          tokens.push(
            type === ControlRecordTypes.COMMIT ? COMMIT : type === ControlRecordTypes.ABORT ? ABORT : `<${type}>`,
          )
        } else {
          for (const record of decodeBatchRecords(batch)) tokens.push(record.value?.toString() ?? '<null>')
        }
        offset = batch.nextOffset
      }
    }
  }

  /**
   * The group's committed offsets (OffsetFetch v7, requireStable). A transaction's offsets become visible when
   * its markers are written, which may follow EndTxn's answer; UNSTABLE_OFFSET_COMMIT is retried, bounded.
   */
  async committedOffsets(group: string, topic: string, partitions: number): Promise<[number, bigint, number][]> {
    const deadline = Date.now() + 15_000
    for (;;) {
      const res = await this.conn.request(
        OffsetFetch,
        7,
        OffsetFetch.request.make({
          groupId: group,
          requireStable: true,
          topics: [{ name: topic, partitionIndexes: Array.from({ length: partitions }, (_, p) => p) }],
        }),
      )
      const rows = (res.topics[0]?.partitions ?? []).map((p): [number, bigint, number] => [
        p.partitionIndex,
        p.committedOffset,
        p.errorCode,
      ])
      if (!rows.some((r) => r[2] === UNSTABLE_OFFSET_COMMIT) || Date.now() > deadline) return rows
      await new Promise((r) => setTimeout(r, 200))
    }
  }

  close(): Promise<void> {
    return this.conn.close()
  }
}

/** kcat 1.7.1 (librdkafka 2.0.2) as a read_committed reader: each partition from the beginning to its end (-e). */
export async function kcatReadCommitted(
  target: Target,
  { topic, partitions }: Omit<ReadCommittedOptions, 'expected'>,
): Promise<ReadRecord[]> {
  const out: ReadRecord[] = []
  for (let partition = 0; partition < partitions; partition++) {
    const args = ['-b', target.bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q']
    const { stdout } = await run(KCAT, [...args, '-X', 'isolation.level=read_committed', '-f', '%o %s\\n'], {
      timeoutMs: STEP_MS,
    })
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [offset = '', value = ''] = line.split(' ')
      out.push({ partition, offset: Number(offset), value })
    }
  }
  return out
}

/** Per partition: the values in order, and the offsets strictly increasing. */
export function assertReadsExactly(
  read: readonly ReadRecord[],
  expected: readonly TxnRecord[],
  partitions: number,
): void {
  for (let partition = 0; partition < partitions; partition++) {
    const mine = read.filter((r) => r.partition === partition)
    assert.deepEqual(
      mine.map((r) => r.value),
      valuesOf(expected, partition),
      `partition ${partition}: exactly the committed records, in order`,
    )
    for (let i = 1; i < mine.length; i++)
      assert.ok(mine[i]!.offset > mine[i - 1]!.offset, `partition ${partition}: offsets increase`)
  }
}

export function expectedTokens(transactions: readonly Transaction[], partition: number): string[] {
  return transactions.flatMap((t) => {
    const values = valuesOf(t.records, partition)
    return values.length === 0 ? [] : [...values, t.outcome === 'commit' ? COMMIT : ABORT]
  })
}

export function txnScenario(scenario: TxnScenario): void {
  const runId = randomBytes(3).toString('hex')
  const name = (what: string): string => `txn-${scenario.client}-${what}-${runId}`
  describe(`${scenario.client}: transactions`, () => {
    let target: Target
    let driver: TxnDriver
    let wire: TxnWire
    before(async () => {
      target = await startTarget([])
      driver = await scenario.driver(target)
      wire = await TxnWire.connect(target)
    })
    after(async () => {
      await wire?.close()
      await driver?.close?.()
      await target?.close()
    })

    const reader = (options: ReadCommittedOptions): Promise<ReadRecord[]> =>
      has(driver.readCommitted) ? driver.readCommitted(options) : kcatReadCommitted(target, options)
    const readerName = (): string => (has(driver.readCommitted) ? scenario.client : 'kcat')

    const topic = name('main')
    const transactions: Transaction[] = [
      { records: recordsFor('c1', TXN_PARTITIONS, PER_PARTITION), outcome: 'commit' },
      { records: recordsFor('a2', TXN_PARTITIONS, PER_PARTITION), outcome: 'abort' },
      { records: recordsFor('c3', TXN_PARTITIONS, PER_PARTITION), outcome: 'commit' },
    ]
    const committed = transactions.filter((t) => t.outcome === 'commit').flatMap((t) => t.records)
    let produced = false

    it(
      'commit, abort, commit across partitions: read_uncommitted Fetch sees all records and the markers',
      { timeout: TEST_MS },
      async (t) => {
        if (targetKind() === 'mock') return t.skip('the librdkafka mock is not the broker under test for transactions')
        await wire.createTopic(topic, TXN_PARTITIONS)
        await driver.produceTransactions({
          topic,
          partitions: TXN_PARTITIONS,
          transactionalId: name('tid'),
          transactions,
        })
        produced = true
        for (let partition = 0; partition < TXN_PARTITIONS; partition++) {
          const log = await wire.readUncommitted(topic, partition)
          assert.deepEqual(log.tokens, expectedTokens(transactions, partition), `partition ${partition} as stored`)
          assert.equal(log.lastStableOffset, log.highWatermark, `partition ${partition}: no transaction left open`)
        }
      },
    )

    it('a read_committed consumer sees exactly the committed records, in order', { timeout: TEST_MS }, async (t) => {
      if (!produced) return t.skip('the transactions were not produced')
      if (!has(driver.readCommitted)) t.diagnostic(`read by kcat: ${driver.readCommitted.skip}`)
      const read = await reader({ topic, partitions: TXN_PARTITIONS, expected: committed.length })
      assertReadsExactly(read, committed, TXN_PARTITIONS)
      t.diagnostic(`read_committed reader: ${readerName()}`)
    })

    it(
      'consume-transform-produce: offsets sent in a transaction are committed with it',
      { timeout: TEST_MS },
      async (t) => {
        if (targetKind() === 'mock') return t.skip('the librdkafka mock is not the broker under test for transactions')
        const ctp = driver.consumeTransformProduce
        if (!has(ctp)) return t.skip(ctp.skip)
        const input = name('in')
        const output = name('out')
        const group = name('group')
        await wire.createTopic(input, TXN_PARTITIONS)
        await wire.createTopic(output, TXN_PARTITIONS)
        const inputRecords = recordsFor('in', TXN_PARTITIONS, CTP_PER_PARTITION)
        await wire.produce(input, inputRecords)
        const half = CTP_PER_PARTITION / 2
        await ctp({
          input,
          output,
          partitions: TXN_PARTITIONS,
          group,
          transactionalId: name('ctp-tid'),
          perPartition: CTP_PER_PARTITION,
          steps: [
            { upTo: half, outcome: 'commit' },
            { upTo: CTP_PER_PARTITION, outcome: 'abort' },
          ],
        })
        assert.deepEqual(
          await wire.committedOffsets(group, input, TXN_PARTITIONS),
          Array.from({ length: TXN_PARTITIONS }, (_, p) => [p, BigInt(half), 0]),
          'committed offsets are those sent in the committed transaction',
        )
        const upper = (records: TxnRecord[]): TxnRecord[] =>
          records.map((r) => ({ ...r, value: r.value.toUpperCase() }))
        const firstHalf = upper(inputRecords.slice(0, half * TXN_PARTITIONS))
        const secondHalf = upper(inputRecords.slice(half * TXN_PARTITIONS))
        for (let partition = 0; partition < TXN_PARTITIONS; partition++) {
          const log = await wire.readUncommitted(output, partition)
          const want = expectedTokens(
            [
              { records: firstHalf, outcome: 'commit' },
              { records: secondHalf, outcome: 'abort' },
            ],
            partition,
          )
          assert.deepEqual(log.tokens, want, `output partition ${partition} as stored`)
        }
        const read = await reader({ topic: output, partitions: TXN_PARTITIONS, expected: firstHalf.length })
        assertReadsExactly(read, firstHalf, TXN_PARTITIONS)
      },
    )

    it(
      'fencing: a second producer with the same transactional.id fences the first',
      { timeout: TEST_MS },
      async (t) => {
        if (targetKind() === 'mock') return t.skip('the librdkafka mock is not the broker under test for transactions')
        const fence = driver.fence
        if (!has(fence)) return t.skip(fence.skip)
        const fenced = name('fenced')
        await wire.createTopic(fenced, TXN_PARTITIONS)
        const first = recordsFor('zombie', TXN_PARTITIONS, 2)
        const second = recordsFor('winner', TXN_PARTITIONS, 2)
        const error = await fence({
          topic: fenced,
          partitions: TXN_PARTITIONS,
          transactionalId: name('fence-tid'),
          first,
          second,
        })
        assert.match(error, FENCED, `the first producer's error names the fencing: ${error}`)
        t.diagnostic(`first producer's error: ${error.slice(0, 200)}`)
        // the first producer's records were delivered before the second one started: the coordinator aborted them
        const zombieThenWinner: Transaction[] = [
          { records: first, outcome: 'abort' },
          { records: second, outcome: 'commit' },
        ]
        for (let partition = 0; partition < TXN_PARTITIONS; partition++) {
          const log = await wire.readUncommitted(fenced, partition)
          assert.deepEqual(log.tokens, expectedTokens(zombieThenWinner, partition), `partition ${partition} as stored`)
        }
        const read = await reader({ topic: fenced, partitions: TXN_PARTITIONS, expected: second.length })
        assertReadsExactly(read, second, TXN_PARTITIONS)
      },
    )

    it(
      'transaction.timeout.ms: the broker aborts an idle transaction and fences its producer',
      { timeout: TEST_MS },
      async (t) => {
        if (targetKind() === 'mock') return t.skip('the librdkafka mock is not the broker under test for transactions')
        const timeout = driver.timeout
        if (!has(timeout)) return t.skip(timeout.skip)
        const idle = name('idle')
        await wire.createTopic(idle, TXN_PARTITIONS)
        const records = recordsFor('idle', TXN_PARTITIONS, 2)
        // The markers must appear while the producer is still idle, not when it finally tries to commit: its commit
        // starts no earlier than IDLE_MS from now, so that is the deadline.
        const deadline = Date.now() + IDLE_MS
        const lateCommit = timeout({
          topic: idle,
          partitions: TXN_PARTITIONS,
          transactionalId: name('idle-tid'),
          records,
          transactionTimeoutMs: TRANSACTION_TIMEOUT_MS,
          idleMs: IDLE_MS,
        }).then(
          (error) => ({ error }),
          (failure: unknown) => ({ failure }),
        )
        const aborted = async (): Promise<boolean> => {
          for (let partition = 0; partition < TXN_PARTITIONS; partition++) {
            const log = await wire.readUncommitted(idle, partition)
            const want = expectedTokens([{ records, outcome: 'abort' }], partition)
            if (JSON.stringify(log.tokens) !== JSON.stringify(want) || log.lastStableOffset !== log.highWatermark)
              return false
          }
          return true
        }
        let done = await aborted()
        while (!done && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250))
          done = await aborted()
        }
        assert.ok(done, 'the broker aborted the idle transaction before the producer tried to commit')
        const outcome = await lateCommit
        if ('failure' in outcome) throw outcome.failure
        assert.match(outcome.error, FENCED, `the late commit fails as fenced: ${outcome.error}`)
        t.diagnostic(`late commit's error: ${outcome.error.slice(0, 200)}`)
      },
    )
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Drivers whose steps run in a child program (Python, or Node 22 for platformatic): `<program> STEP JSON` with the
// step's options (plus "bootstrap") as JSON; it prints one JSON line on stdout at the end and exits 0, or exits
// non-zero with the error on stderr. Steps: transactions, read-committed (prints the records), ctp, fence and timeout
// (print {"error": "..."}).

export interface TxnProgram {
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
}

export function programTxnDriver(
  program: TxnProgram,
  target: Target,
  skips: Partial<Record<'readCommitted' | 'consumeTransformProduce' | 'fence' | 'timeout', string>> = {},
): TxnDriver {
  const call = async (step: string, options: object): Promise<unknown> => {
    const json = JSON.stringify({ ...options, bootstrap: target.bootstrap })
    const { stdout } = await run(program.command, [...program.args, step, json], {
      timeoutMs: STEP_MS,
      env: program.env ?? process.env,
    })
    const last = stdout.trim().split('\n').at(-1) ?? ''
    return JSON.parse(last === '' ? 'null' : last) as unknown
  }
  return {
    produceTransactions: async (o) => void (await call('transactions', o)),
    readCommitted:
      skips.readCommitted !== undefined
        ? { skip: skips.readCommitted }
        : async (o) => (await call('read-committed', o)) as ReadRecord[],
    consumeTransformProduce:
      skips.consumeTransformProduce !== undefined
        ? { skip: skips.consumeTransformProduce }
        : async (o) => void (await call('ctp', o)),
    fence:
      skips.fence !== undefined
        ? { skip: skips.fence }
        : async (o) => ((await call('fence', o)) as { error: string }).error,
    timeout:
      skips.timeout !== undefined
        ? { skip: skips.timeout }
        : async (o) => ((await call('timeout', o)) as { error: string }).error,
  }
}
