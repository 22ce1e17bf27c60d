// kcat 1.7.1 (librdkafka 2.0.2) transactions (lib/txn-scenario.ts). With -X transactional.id kcat sends its whole
// input in one transaction, committed when stdin ends and aborted when kcat is interrupted (SIGINT), so each
// transaction is one kcat process: committed ones get their input and EOF; aborted ones get their input, stdin stays
// open until the broker holds every record (high watermarks over the wire), then SIGINT and EOF (kcat checks for
// the signal when its blocking read of stdin returns). kcat 1.7.1 reads stdin in 1,024-byte blocks and produces
// nothing of a block before it is whole (fixed in kcat 1.8.0, #343), so every "key:value" line (-K:) is padded, in
// the key, to exactly 1,024 bytes: a producer with stdin open then sends each record as it is written. kcat -P has
// one -p per run, so records reach their partitions through librdkafka's default partitioner (consistent_random:
// CRC-32 of the key modulo the partition count) with keys chosen for it. kcat is also its own read_committed reader
// (-X isolation.level=read_committed, -e stops at the last stable offset). Fencing: a second kcat with the same
// transactional.id commits while the first still has stdin open; closing the first's stdin makes it commit, and it
// must fail with librdkafka's fenced error; the same for a kcat whose transaction.timeout.ms passed while its stdin
// stayed open. kcat cannot send consumer offsets to a transaction.

import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { crc32 } from 'node:zlib'
import { run, spawnTracked, stopChild } from './lib/processes.ts'
import type { Target } from './lib/target.ts'
import { kcatReadCommitted, TxnWire, txnScenario, type TxnDriver, type TxnRecord } from './lib/txn-scenario.ts'

const KCAT = process.env.COMPAT_KCAT ?? 'kcat'
const WAIT_MS = 30_000

const LINE_BYTES = 1024

/**
 * "key:value" lines of LINE_BYTES bytes each, whose keys librdkafka's consistent_random partitioner puts on each
 * record's partition.
 */
function keyedLines(records: readonly TxnRecord[], partitions: number): string {
  return records
    .map((r) => {
      const key = (n: number): string => `${r.value}#${n}#`.padEnd(LINE_BYTES - r.value.length - 2, '.')
      let n = 0
      while (crc32(key(n)) % partitions !== r.partition) n++
      return `${key(n)}:${r.value}\n`
    })
    .join('')
}

function kcatArgs(target: Target, topic: string, transactionalId: string): string[] {
  return ['-b', target.bootstrap, '-P', '-t', topic, '-K', ':', '-X', `transactional.id=${transactionalId}`, '-m', '20']
}

/** Resolves once the partitions' high watermarks add up to at least `total`. */
async function waitForRecords(wire: TxnWire, topic: string, partitions: number, total: bigint): Promise<void> {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    let sum = 0n
    for (let p = 0; p < partitions; p++) sum += (await wire.readUncommitted(topic, p)).highWatermark
    if (sum >= total) return
    assert.ok(Date.now() < deadline, `the broker holds ${sum} of ${total} records`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function endOffsetsSum(wire: TxnWire, topic: string, partitions: number): Promise<bigint> {
  let sum = 0n
  for (let p = 0; p < partitions; p++) sum += (await wire.readUncommitted(topic, p)).highWatermark
  return sum
}

/** A kcat producer left running with its stdin open; its stderr is kept. */
function startOpen(args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawnTracked(KCAT, args, { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin?.on('error', () => {})
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, stderr: () => stderr, exit }
}

async function exitWithin(exit: Promise<number | null>, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`kcat did not exit within ${ms} ms`)), ms)
  })
  return Promise.race([exit, late]).finally(() => clearTimeout(timer))
}

async function driver(target: Target): Promise<TxnDriver> {
  const wire = await TxnWire.connect(target)
  return {
    async produceTransactions({ topic, partitions, transactionalId, transactions }) {
      for (const { records, outcome } of transactions) {
        const input = keyedLines(records, partitions)
        const args = kcatArgs(target, topic, transactionalId)
        if (outcome === 'commit') {
          await run(KCAT, args, { timeoutMs: WAIT_MS, input })
          continue
        }
        const before = await endOffsetsSum(wire, topic, partitions)
        const open = startOpen(args)
        try {
          open.child.stdin?.write(input)
          await waitForRecords(wire, topic, partitions, before + BigInt(records.length))
          // kcat notes the signal and aborts once its blocking read of stdin returns, here at EOF
          open.child.kill('SIGINT')
          open.child.stdin?.end()
          await exitWithin(open.exit, WAIT_MS)
        } finally {
          await stopChild(open.child)
        }
        assert.match(open.stderr(), /abort/i, `kcat reports the aborted transaction: ${open.stderr()}`)
      }
    },
    readCommitted: (options) => kcatReadCommitted(target, options),
    consumeTransformProduce: {
      skip: 'kcat cannot consume-transform-produce: it has no send_offsets_to_transaction (offsets in a transaction)',
    },
    async fence({ topic, partitions, transactionalId, first, second }) {
      const before = await endOffsetsSum(wire, topic, partitions)
      const zombie = startOpen(kcatArgs(target, topic, transactionalId))
      try {
        zombie.child.stdin?.write(keyedLines(first, partitions))
        await waitForRecords(wire, topic, partitions, before + BigInt(first.length))
        await run(KCAT, kcatArgs(target, topic, transactionalId), {
          timeoutMs: WAIT_MS,
          input: keyedLines(second, partitions),
        })
        zombie.child.stdin?.end()
        const code = await exitWithin(zombie.exit, WAIT_MS)
        if (code === 0) throw new Error(`the fenced kcat committed its transaction: ${zombie.stderr()}`)
        return `exit ${code}: ${zombie.stderr().trim()}`
      } finally {
        await stopChild(zombie.child)
      }
    },
    async timeout({ topic, partitions, transactionalId, records, transactionTimeoutMs, idleMs }) {
      const before = await endOffsetsSum(wire, topic, partitions)
      const args = [...kcatArgs(target, topic, transactionalId), '-X', `transaction.timeout.ms=${transactionTimeoutMs}`]
      const idle = startOpen(args)
      try {
        idle.child.stdin?.write(keyedLines(records, partitions))
        await waitForRecords(wire, topic, partitions, before + BigInt(records.length))
        await sleep(idleMs)
        idle.child.stdin?.end()
        const code = await exitWithin(idle.exit, WAIT_MS)
        if (code === 0) throw new Error(`kcat committed the timed-out transaction: ${idle.stderr()}`)
        return `exit ${code}: ${idle.stderr().trim()}`
      } finally {
        await stopChild(idle.child)
      }
    },
    close: () => wire.close(),
  }
}

txnScenario({ client: 'kcat', driver })
