// The transactional checker (issue 5), bounded and Jepsen-like: three worker processes (txn_worker.py,
// confluent-kafka-python / librdkafka under /usr/bin/python3) run consume-transform-produce transactions from an
// input topic to an output topic in group `checker`, committing or (seeded, ~30%) aborting each, while the broker is
// killed with SIGKILL and restarted on the same data directory and port twice mid-run, and then one worker turns
// zombie (stops itself mid-transaction for longer than its session timeout, then resumes). Afterwards the log is
// judged, not what the workers believe:
//   - read_committed (raw Fetch, isolation 1, aborted-transaction lists applied by filterReadCommitted) shows every
//     input record exactly once in the output, on the output partition of its input partition, in input-offset
//     order, and nothing else; librdkafka's own read_committed consumer sees exactly the same;
//   - every transaction is all or nothing: a transaction's records are either all committed or all dropped;
//   - group `checker`'s committed offsets equal the input's size and match the committed output per partition;
//   - the coordinator has no transaction left in flight (ListTransactions: Empty, CompleteCommit or CompleteAbort);
//   - the workers' reports agree: a transaction reported committed is in the output, one reported aborted is not;
//   - aborts really happened (read_uncommitted holds aborted records), the broker really was killed, and every
//     worker stopped cleanly.
// SAMSA_CHECKER_SEED=<n> replays a seed (the chaos plan, the workers' abort and size choices; thread timing is not
// replayed). A run takes 25–50 s and needs Debian's python3-confluent-kafka (scripts/install-compat-deps.sh). On a
// violation (or with SAMSA_CHECKER_KEEP=1) the run directory is kept and its path printed: the broker's data
// directory, its log (broker.log, across restarts) and every worker and checker event (workers.jsonl).

import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Connection } from '@samsa/net'
import { buildRecordBatch, decodeBatchRecords, ErrorCode, ListTransactions, resolveRecords } from '@samsa/protocol'
import {
  createTopics,
  fetchCommittedOffsets,
  fetchPartition,
  filterReadCommitted,
  produceBatch,
  startBrokerProcess,
  type BrokerProcess,
} from '../index.ts'

const PYTHON = process.env.COMPAT_PYTHON ?? '/usr/bin/python3'
const WORKER_SCRIPT = fileURLToPath(new URL('./txn_worker.py', import.meta.url))
const READER_SCRIPT = fileURLToPath(new URL('./txn_read_committed.py', import.meta.url))
const PARTITIONS = 4
const RECORDS_PER_PARTITION = 300
const WORKERS = 3
const ABORT_RATE = 0.3
const MAX_TXN_RECORDS = 12
/** The run stops here even if not every input record was processed (then the liveness assertion fails); runs take
 * 25–50 s on a 2-core machine, so this is room for a loaded CI machine, not a performance target. */
const RUN_BOUND_MS = 90_000
const INPUT = 'checker-in'
const OUTPUT = 'checker-out'
const GROUP = 'checker'

const seed = process.env.SAMSA_CHECKER_SEED ? Number(process.env.SAMSA_CHECKER_SEED) : Date.now() % 1_000_000

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One line of a worker's stdout (see txn_worker.py). */
interface WorkerEvent {
  ev: string
  w: number
  /** Wall-clock milliseconds. */
  at: number
  inc?: number
  txn?: number
  recs?: [number, number][]
  why?: string | null
  msg?: string
  point?: string
}

interface Worker {
  id: number
  child: ChildProcess
  events: WorkerEvent[]
  stderr: string[]
  /** Resolves once the process exited and its output was read to the end ('close'). */
  exited: Promise<number | string>
  /** Called when the worker reports that it stopped itself (a requested freeze). */
  onFrozen?: () => void
}

function startWorker(id: number, bootstrap: string, onEvent: (e: WorkerEvent) => void): Worker {
  const config = {
    bootstrap,
    worker: id,
    seed: seed * 100 + id,
    input: INPUT,
    output: OUTPUT,
    group: GROUP,
    abortRate: ABORT_RATE,
    maxTxnRecords: MAX_TXN_RECORDS,
    maxSeconds: RUN_BOUND_MS / 1000 + 15,
  }
  const child = spawn(PYTHON, ['-u', WORKER_SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  const worker: Worker = {
    id,
    child,
    events: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'))),
  }
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let event: WorkerEvent
    try {
      event = JSON.parse(line) as WorkerEvent
    } catch {
      worker.stderr.push(`(stdout) ${line}`)
      return
    }
    worker.events.push(event)
    if (event.ev === 'frozen') worker.onFrozen?.()
    onEvent(event)
  })
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => worker.stderr.push(line))
  return worker
}

async function stopWorker(worker: Worker): Promise<number | string> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.stdin?.end('stop\n')
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000)
    void worker.exited.then(() => clearTimeout(timer))
  }
  return worker.exited
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Connects, retrying while the broker is down or restarting. */
async function connect(broker: BrokerProcess): Promise<Connection> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await Connection.connect({ host: broker.host, port: broker.port })
    } catch (error) {
      if (attempt >= 100) throw error
      await sleep(100)
    }
  }
}

/** The group's committed offsets on the input topic, or undefined while the broker cannot answer. */
async function committedInput(broker: BrokerProcess): Promise<Map<number, bigint> | undefined> {
  let conn: Connection | undefined
  try {
    conn = await Connection.connect({ host: broker.host, port: broker.port })
    return await fetchCommittedOffsets(
      conn,
      GROUP,
      INPUT,
      Array.from({ length: PARTITIONS }, (_, p) => p),
    )
  } catch {
    return undefined
  } finally {
    conn?.destroy()
  }
}

/** Output value "inputPartition:inputOffset:worker:incarnation:txn". */
interface OutputRecord {
  outPartition: number
  outOffset: bigint
  inPartition: number
  inOffset: number
  worker: number
  incarnation: number
  txn: number
}

function parseOutput(outPartition: number, outOffset: bigint, value: Buffer | null): OutputRecord {
  const parts = (value?.toString() ?? '').split(':').map(Number)
  assert.equal(parts.length, 5, `output ${outPartition}@${outOffset}: value "${value?.toString()}" is well-formed`)
  const [inPartition, inOffset, worker, incarnation, txn] = parts as [number, number, number, number, number]
  return { outPartition, outOffset, inPartition, inOffset, worker, incarnation, txn }
}

/** Runs txn_read_committed.py over the output topic. */
async function readCommittedWithLibrdkafka(bootstrap: string): Promise<{ p: number; o: number; v: string }[]> {
  const child = spawn(PYTHON, ['-u', READER_SCRIPT, bootstrap, OUTPUT, String(PARTITIONS), '60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  const lines: string[] = []
  const errors: string[] = []
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line))
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line))
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve)) // after stdout drained
  assert.equal(code, 0, `txn_read_committed.py exited ${code}: ${errors.slice(-10).join('\n')}`)
  return lines.map((line) => JSON.parse(line) as { p: number; o: number; v: string })
}

const txnKey = (worker: number, txn: number): string => `w${worker}/t${txn}`

test(
  `transactional checker: consume-transform-produce with aborts and kill -9 (seed ${seed})`,
  { timeout: 200_000 },
  async () => {
    const probe = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { encoding: 'utf8' })
    assert.equal(
      probe.status,
      0,
      `${PYTHON} cannot import confluent_kafka (Debian python3-confluent-kafka; scripts/install-compat-deps.sh installs it): ${probe.stderr}`,
    )
    console.log(`txn-checker: seed ${seed} (replay with SAMSA_CHECKER_SEED=${seed})`)
    const rng = mulberry32(seed)
    const runDir = mkdtempSync(join(tmpdir(), 'samsa-txn-checker-'))
    const dataDir = join(runDir, 'data')
    const logFile = join(runDir, 'broker.log')
    const overrides = {
      'group.initial.rebalance.delay.ms': 0,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000,
    }
    let broker: BrokerProcess | undefined
    const workers: Worker[] = []
    // The checker's own events (kills, restarts, freezes), merged with the workers' into workers.jsonl.
    const timeline: { ev: string; at: number }[] = []
    const mark = (what: string, extra: object = {}): void => {
      timeline.push({ ev: what, w: 'checker', at: Date.now(), ...extra } as { ev: string; at: number })
    }
    let keepDataDir = false
    const kills: { atCommittedRecords: number; atMs: number; how: string }[] = []
    const began = Date.now()
    try {
      broker = await startBrokerProcess({ dataDir, overrides, logFile })
      const setup = await connect(broker)
      await createTopics(setup, [
        { name: INPUT, partitions: PARTITIONS },
        { name: OUTPUT, partitions: PARTITIONS },
      ])
      for (let p = 0; p < PARTITIONS; p++) {
        for (let from = 0; from < RECORDS_PER_PARTITION; from += 100) {
          const records = []
          for (let o = from; o < Math.min(from + 100, RECORDS_PER_PARTITION); o++)
            records.push({ key: null, value: Buffer.from(`${p}:${o}`) })
          await produceBatch(setup, INPUT, p, buildRecordBatch({ records, timestamp: Date.now() }))
        }
      }
      setup.destroy()

      // The chaos plan (two kills, then a freeze), one step at a time, each triggered once the workers have reported
      // a seeded number of input records committed and the previous step is over:
      //   - kill: SIGKILL the broker, restart it on the same data directory and port after 0–1500 ms; the first
      //     kill lands 0–250 ms after the trigger (mid-transaction for some worker), the second 0–4 ms after a
      //     worker's commit_transaction starts (mid-EndTxn: the coordinator must finish a commit it logged as
      //     prepared, or never have logged it);
      //   - freeze: one worker stops itself (SIGSTOP) in its next transaction, after producing and either before
      //     adding its offsets or before committing, for 7–12 s: longer than its session timeout (6 s), so the group
      //     moves its partitions to the others while it holds an open transaction; then SIGCONT: a zombie that must
      //     be fenced (its TxnOffsetCommit carries a stale generation; past the 10 s transaction timeout the
      //     coordinator also aborts its transaction and bumps the producer epoch).
      const total = PARTITIONS * RECORDS_PER_PARTITION
      type Step =
        | {
            kind: 'kill'
            at: number
            mid: 'transaction' | 'commit'
            worker: number
            killDelayMs: number
            restartDelayMs: number
          }
        | { kind: 'freeze'; at: number; worker: number; point: 'before-offsets' | 'before-commit'; ms: number }
      const kill = (from: number, to: number, mid: 'transaction' | 'commit'): Step => ({
        kind: 'kill',
        at: Math.floor(total * (from + (to - from) * rng())),
        mid,
        worker: Math.floor(rng() * WORKERS),
        killDelayMs: mid === 'commit' ? Math.floor(rng() * 40) / 10 : Math.floor(rng() * 250),
        restartDelayMs: Math.floor(rng() * 1500),
      })
      const plan: Step[] = [
        kill(0.1, 0.25, 'transaction'),
        kill(0.3, 0.45, 'commit'),
        {
          kind: 'freeze',
          at: Math.floor(total * (0.5 + 0.1 * rng())),
          worker: Math.floor(rng() * WORKERS),
          point: rng() < 0.5 ? 'before-offsets' : 'before-commit',
          ms: 7000 + Math.floor(rng() * 5000),
        },
      ]
      console.log(
        `txn-checker: plan ${plan
          .map((step) =>
            step.kind === 'kill'
              ? `kill ${step.killDelayMs} ms after ${step.mid === 'commit' ? `worker ${step.worker}'s commit starts past ` : ''}${step.at} committed records, restart after ${step.restartDelayMs} ms`
              : `freeze worker ${step.worker} ${step.point} for ${step.ms} ms after ${step.at} committed records`,
          )
          .join('; ')}`,
      )

      let reportedCommitted = 0
      let nextStep = 0
      let chaos: Promise<void> | undefined
      let chaosError: unknown
      const current = broker
      const runStep = async (step: Step): Promise<void> => {
        if (step.kind === 'freeze') {
          // The worker stops itself at the chosen point of its next transaction (or is stopped from here if it
          // does not get there within 10 s), stays frozen, is thawed, and gets 2 s to act as a zombie.
          const worker = workers[step.worker] as Worker
          const frozen = new Promise<boolean>((resolve) => {
            worker.onFrozen = () => resolve(true)
            setTimeout(() => resolve(false), 10_000)
          })
          worker.child.stdin?.write(`freeze ${step.point}\n`)
          if (!(await frozen)) {
            worker.child.kill('SIGSTOP')
            mark('freeze-from-outside', { worker: step.worker })
          }
          await sleep(step.ms)
          worker.child.kill('SIGCONT')
          mark('thaw', { worker: step.worker })
          await sleep(2000)
          return
        }
        const victim = broker as BrokerProcess
        let how = 'mid-transaction'
        if (step.mid === 'commit') {
          // A worker sends the SIGKILL itself, killDelayMs after its next commit_transaction starts (a pipe round
          // trip from here would land after the commit); if none commits within 10 s the checker kills.
          const killer = workers[step.worker] as Worker
          killer.child.stdin?.write(`kill-during-commit ${victim.child.pid} ${step.killDelayMs}\n`)
          const exited = await Promise.race([victim.exited.then(() => true), sleep(10_000).then(() => false)])
          if (!exited) killer.child.stdin?.write('kill-during-commit 0 0\n')
          how = exited ? `by worker ${step.worker} in its commit` : 'by the checker (no commit within 10 s)'
          mark(exited ? 'killed-by-worker' : 'no-commit-to-kill-during', { worker: step.worker })
        } else {
          await sleep(step.killDelayMs)
        }
        kills.push({ atCommittedRecords: reportedCommitted, atMs: Date.now() - began, how })
        assert.equal(await victim.kill(), 'SIGKILL')
        mark('killed', { kill: kills.length })
        await sleep(step.restartDelayMs)
        broker = await startBrokerProcess({ dataDir, overrides, logFile, port: current.port })
        mark('restarted', { kill: kills.length })
      }
      let stopping = false
      const advance = (): void => {
        const step = plan[nextStep]
        if (stopping || chaos !== undefined || step === undefined || reportedCommitted < step.at) return
        nextStep++
        chaos = runStep(step)
          .catch((error: unknown) => {
            chaosError ??= error
          })
          .finally(() => {
            chaos = undefined
          })
      }
      const onEvent = (e: WorkerEvent): void => {
        if (e.ev === 'commit') reportedCommitted += e.recs?.length ?? 0
        advance()
      }
      for (let w = 0; w < WORKERS; w++) workers.push(startWorker(w, current.bootstrap, onEvent))

      // Run until the group has committed the whole input after the whole plan ran, or the bound passes.
      let finished = false
      while (Date.now() - began < RUN_BOUND_MS) {
        await sleep(500)
        if (chaosError !== undefined) break
        advance()
        if (chaos !== undefined || nextStep < plan.length) continue
        const committed = await committedInput(broker)
        if (committed !== undefined && [...committed.values()].every((o) => o === BigInt(RECORDS_PER_PARTITION))) {
          finished = true
          break
        }
      }
      stopping = true
      await chaos
      const exits = await Promise.all(workers.map(stopWorker))
      if (chaosError !== undefined) throw new Error('a chaos step failed', { cause: chaosError })
      const elapsedMs = Date.now() - began

      // ---- judge the log ----
      const conn = await connect(broker)
      const reports = workers.flatMap((w) => w.events)
      const reportedCommits = reports.filter((e) => e.ev === 'commit')
      const reportedAborts = reports.filter((e) => e.ev === 'abort' && (e.recs?.length ?? 0) > 0)
      const reportedUnknown = reports.filter((e) => e.ev === 'unknown')
      const incarnations = reports.filter((e) => e.ev === 'init').length

      // Every transaction ends (the workers aborted theirs on stop, replaced producers finished their
      // predecessors'), so the last stable offset reaches the high watermark on every output partition.
      const committedOut: OutputRecord[][] = []
      const rawOut: OutputRecord[][] = []
      for (let p = 0; p < PARTITIONS; p++) {
        let read = await fetchPartition(conn, OUTPUT, p, { isolationLevel: 1 })
        for (let i = 0; i < 60 && read.lastStableOffset < read.highWatermark; i++) {
          await sleep(500)
          read = await fetchPartition(conn, OUTPUT, p, { isolationLevel: 1 })
        }
        assert.equal(
          read.lastStableOffset,
          read.highWatermark,
          `output ${p}: no transaction left open (last stable offset ${read.lastStableOffset}, high watermark ${read.highWatermark})`,
        )
        const filtered = filterReadCommitted(read.batches, read.abortedTransactions)
        committedOut.push(filtered.records.map((r) => parseOutput(p, r.offset, r.value)))
        const raw = await fetchPartition(conn, OUTPUT, p, { isolationLevel: 0 })
        const rawRecords = raw.batches
          .filter((v) => !v.isControlBatch)
          .flatMap((v) => resolveRecords(v, decodeBatchRecords(v)))
        rawOut.push(rawRecords.map((r) => parseOutput(p, r.offset, r.value)))
      }
      const groupOffsets = await fetchCommittedOffsets(
        conn,
        GROUP,
        INPUT,
        Array.from({ length: PARTITIONS }, (_, p) => p),
        true,
      )
      // The coordinator has nothing left in flight: every transactional id is Empty or completed.
      const listTransactions = async (): Promise<string[]> => {
        const response = await conn.request(
          ListTransactions,
          0,
          ListTransactions.request.make({ stateFilters: [], producerIdFilters: [] }),
        )
        assert.equal(response.errorCode, ErrorCode.NONE, 'ListTransactions')
        return response.transactionStates
          .filter((t) => t.transactionalId.startsWith('checker-'))
          .map((t) => `${t.transactionalId}:${t.transactionState}`)
          .sort()
      }
      const settled = (states: string[]): boolean =>
        states.every((s) => /:(Empty|CompleteCommit|CompleteAbort)$/.test(s))
      let txnStates = await listTransactions()
      for (let i = 0; i < 60 && !settled(txnStates); i++) {
        await sleep(500)
        txnStates = await listTransactions()
      }
      await conn.close()
      // librdkafka's own read_committed consumer, for comparison with the raw filter.
      const librdkafkaRead = await readCommittedWithLibrdkafka(broker.bootstrap)

      const committedCount = committedOut.reduce((n, rs) => n + rs.length, 0)
      const rawCount = rawOut.reduce((n, rs) => n + rs.length, 0)
      const reasons = new Map<string, number>()
      for (const e of reportedAborts) {
        const reason = (e.why ?? '').split(':')[0] as string
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
      }
      const abortReasons = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ')
      // How the zombie's transaction ended, as the zombie saw it.
      const frozenAt = reports.findIndex((e) => e.ev === 'frozen')
      const frozenEvent = reports[frozenAt]
      const zombieEnd =
        frozenEvent === undefined
          ? 'frozen from outside'
          : (reports
              .slice(frozenAt + 1)
              .filter((e) => e.w === frozenEvent.w && e.txn === frozenEvent.txn && e.ev !== 'thawed')
              .map((e) => `${e.ev}${e.why ? ` (${e.why.slice(0, 160)})` : ''}`)[0] ?? 'no outcome reported')
      const summary =
        `seed ${seed}: ${elapsedMs} ms, finished=${finished}, kills ${kills.length} ` +
        `(${kills.map((k) => `${k.how} after ${k.atCommittedRecords} records at ${k.atMs} ms`).join('; ')}), ` +
        `workers reported ${reportedCommits.length} commits, ${reportedAborts.length} aborts (${abortReasons}), ` +
        `${reportedUnknown.length} unknown outcomes, ${incarnations} producer incarnations; ` +
        `zombie w${frozenEvent?.w}/t${frozenEvent?.txn} ${frozenEvent?.point ?? ''}: ${zombieEnd}; ` +
        `output: ${committedCount} committed records, ${rawCount - committedCount} aborted records in the log; ` +
        `transactions ${txnStates.join(' ')}; group offsets ${[...groupOffsets.entries()].map(([p, o]) => `${p}:${o}`).join(' ')}; worker exits ${exits.join(',')}`
      console.log(`txn-checker: ${summary}`)
      keepDataDir = true // until every invariant held

      // 0. librdkafka's read_committed consumer sees exactly what the raw filter keeps.
      for (let p = 0; p < PARTITIONS; p++) {
        assert.deepEqual(
          librdkafkaRead.filter((r) => r.p === p).map((r) => `${r.o}=${r.v}`),
          (committedOut[p] as OutputRecord[]).map(
            (r) => `${r.outOffset}=${r.inPartition}:${r.inOffset}:${r.worker}:${r.incarnation}:${r.txn}`,
          ),
          `output ${p}: librdkafka read_committed agrees with the raw read_committed filter`,
        )
      }
      // 0b. No transaction left in flight at the coordinator.
      assert.equal(txnStates.length, WORKERS, `one transactional id per worker: ${txnStates.join(' ')}`)
      assert.ok(settled(txnStates), `every transaction ended at the coordinator: ${txnStates.join(' ')}`)
      // 1. Per output partition: only its own input partition, input offsets 0, 1, 2, … (exactly once, in order).
      for (let p = 0; p < PARTITIONS; p++) {
        const records = committedOut[p] as OutputRecord[]
        records.forEach((r, i) => {
          assert.equal(r.inPartition, p, `output ${p}@${r.outOffset}: from input partition ${r.inPartition}`)
          assert.equal(
            r.inOffset,
            i,
            `output ${p}@${r.outOffset}: input offset ${r.inOffset} where ${i} was expected (duplicate, gap or reorder; txn ${txnKey(r.worker, r.txn)})`,
          )
        })
      }
      // 2. Committed group offsets match the committed output.
      for (let p = 0; p < PARTITIONS; p++) {
        const offset = groupOffsets.get(p) ?? -1n
        const produced = (committedOut[p] as OutputRecord[]).length
        assert.equal(
          offset === -1n ? 0 : Number(offset),
          produced,
          `input ${p}: group offset ${offset} matches the ${produced} committed output records`,
        )
      }
      // 3. Atomicity: a transaction's records in the log are all committed or all aborted.
      const rawByTxn = new Map<string, number>()
      for (const r of rawOut.flat())
        rawByTxn.set(txnKey(r.worker, r.txn), (rawByTxn.get(txnKey(r.worker, r.txn)) ?? 0) + 1)
      const committedByTxn = new Map<string, number>()
      for (const r of committedOut.flat())
        committedByTxn.set(txnKey(r.worker, r.txn), (committedByTxn.get(txnKey(r.worker, r.txn)) ?? 0) + 1)
      for (const [key, n] of committedByTxn) {
        assert.equal(n, rawByTxn.get(key), `txn ${key}: all of its ${rawByTxn.get(key)} records committed, not ${n}`)
      }
      // 4. The workers' beliefs: a reported commit is in the output whole, a reported abort not at all.
      for (const e of reportedCommits) {
        const key = txnKey(e.w, e.txn ?? -1)
        assert.equal(committedByTxn.get(key) ?? 0, e.recs?.length, `txn ${key} reported committed is in the output`)
      }
      for (const e of reportedAborts) {
        const key = txnKey(e.w, e.txn ?? -1)
        assert.equal(committedByTxn.get(key) ?? 0, 0, `txn ${key} reported aborted (${e.why}) is not in the output`)
      }
      // 5. The run exercised what it claims: kills, aborted records in the log, and (liveness) all input consumed.
      assert.equal(nextStep, plan.length, 'the whole chaos plan ran (kills, restarts, the freeze)')
      assert.ok(kills.length > 0, 'the broker was killed and restarted mid-run')
      assert.ok(reportedAborts.length > 0, 'the workers aborted transactions')
      assert.ok(rawCount > committedCount, 'read_uncommitted sees aborted records that read_committed hides')
      assert.ok(finished, `the whole input was consumed within ${RUN_BOUND_MS} ms`)
      assert.deepEqual(
        exits,
        workers.map(() => 0),
        'every worker stopped cleanly (exit 3: a rewind after an abort failed; see its last events)',
      )
      for (let p = 0; p < PARTITIONS; p++)
        assert.equal(groupOffsets.get(p), BigInt(RECORDS_PER_PARTITION), `input ${p}: group offset at the end`)
      keepDataDir = false
    } catch (error) {
      keepDataDir = true
      for (const w of workers) {
        const tail = w.events.filter((e) => !['retry', 'client_error'].includes(e.ev)).slice(-15)
        console.log(`worker ${w.id} last events:\n${tail.map((e) => JSON.stringify(e)).join('\n')}`)
        if (w.stderr.length > 0) console.log(`worker ${w.id} stderr:\n${w.stderr.slice(-30).join('\n')}`)
      }
      throw error
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL')
      await broker?.stop()
      if (process.env.SAMSA_CHECKER_KEEP) keepDataDir = true
      if (keepDataDir) {
        const events = [...timeline, ...workers.flatMap((w) => w.events)].sort((a, b) => a.at - b.at)
        writeFileSync(join(runDir, 'workers.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n')
        console.log(`txn-checker: kept ${runDir} (data/, broker.log, workers.jsonl; seed ${seed})`)
      } else rmSync(runDir, { recursive: true, force: true })
    }
  },
)
