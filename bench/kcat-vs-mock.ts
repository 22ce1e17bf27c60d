// npm run bench:broker — the same kcat commands against Samsa and against librdkafka's mock cluster (the only other
// Kafka-protocol server installable here; it keeps everything in memory), side by side in one run:
// produce 1,000,000 × 100-byte records from a file (acks=all) into a 1-partition and a 32-partition topic, consume
// them all back, 1 KB records for ingest MB/s, broker RSS, and cold start to accepting connections.
// Writes bench/results/broker.md. Needs kcat, gcc and librdkafka-dev (scripts/install-compat-deps.sh).
//
// The mock keeps at most ~5 MB or 100,000 batches per partition, so it cannot hand back all 1,000,000 records of
// the 1-partition topic; the consume rows therefore read as many records as the mock holds, from a topic that holds
// exactly those on both sides. Samsa also consumes all 1,000,000 once, alone.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdmin } from '@samsa/client'
import { startBrokerProcess } from '@samsa/testkit'
import { writeResults } from './harness.ts'
import { createMemoryCgroup } from './memory-cgroup.ts'

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const KB_RECORDS = Math.round(RECORDS * 0.3)
const root = new URL('..', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'samsa-bench-'))

function writeLines(path: string, count: number, size: number): void {
  const line = Buffer.alloc(size + 1, 'x')
  line[size] = 0x0a
  const chunk = Buffer.concat(Array.from({ length: 1000 }, () => line))
  const fd = openSync(path, 'w')
  for (let i = 0; i < count; i += 1000) writeSync(fd, chunk, 0, Math.min(1000, count - i) * (size + 1))
  closeSync(fd)
}

function buildMock(): string {
  const out = join(root, '.cache', 'mock-cluster')
  if (!existsSync(out)) {
    mkdirSync(join(root, '.cache'), { recursive: true })
    execFileSync('gcc', ['-O2', '-o', out, join(root, 'bench/mock/mock-cluster.c'), '-lrdkafka'], { stdio: 'inherit' })
  }
  return out
}

interface Target {
  name: string
  bootstrap: string
  process: ChildProcess
  stop(): Promise<void>
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)
  return hwm ? Number(hwm[1]) / 1024 : NaN
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
    })
}

async function startMock(topics: [string, number][]): Promise<Target> {
  const args = topics.flatMap(([t, p]) => ['-t', `${t}:${p}`])
  const child = spawn(buildMock(), ['-s', '3600', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
  const bootstrap = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()))
    child.once('exit', (code) => reject(new Error(`mock exited with ${code}`)))
  })
  return { name: 'librdkafka mock', bootstrap, process: child, stop: stopper(child) }
}

/** Starts the compiled `samsa broker` as its own process, as a user would run it. */
async function startSamsa(
  dataDir: string,
  overrides: Record<string, number> = {},
): Promise<Target & { coldStartMs: number }> {
  const broker = await startBrokerProcess({ dataDir, entry: 'compiled', stdio: 'ignore', overrides })
  return {
    name: 'Samsa',
    bootstrap: broker.bootstrap,
    process: broker.child,
    stop: async () => void (await broker.stop()),
    coldStartMs: broker.startMs,
  }
}

/**
 * The guest's memory state, recorded because appends into page cache the guest has freed (and reported to the host)
 * fault at the host and run several times slower (LIMITS.md §2.2): produce rows are only comparable between runs
 * that start from a similar state.
 */
function memoryState(): string {
  const info = readFileSync('/proc/meminfo', 'utf8')
  const gib = (key: string): string =>
    (Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(info)?.[1] ?? NaN) / 1048576).toFixed(1)
  return `MemFree ${gib('MemFree')} GiB, Cached ${gib('Cached')} GiB, MemTotal ${gib('MemTotal')} GiB`
}
const memoryAtStart = memoryState()

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Runs `command`; `cpu` is what the broker process `pid` spent meanwhile (its share of the 2 cores). */
function timed(command: string, pid?: number): { seconds: number; output: string; cpu: number } {
  const cpuBefore = cpuSeconds(pid)
  const start = process.hrtime.bigint()
  const output = execFileSync('bash', ['-c', command], { encoding: 'utf8', maxBuffer: 1 << 20 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { seconds, output, cpu: cpuSeconds(pid) - cpuBefore }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

// Cold start and the runs below use the compiled broker, as `npx samsa broker` runs it. The bin runs the esbuild
// bundle (dist/bundle/main.js), which `tsc -b` alone does not refresh: `npm run build` makes both.
execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })

const file100 = join(work, 'msgs100.txt')
const file1k = join(work, 'msgs1k.txt')
writeLines(file100, RECORDS, 100)
writeLines(file1k, KB_RECORDS, 1000)

interface Row {
  what: string
  mock: number[]
  samsa: number[]
  mockCpu: number[]
  samsaCpu: number[]
  mockCount: number
  samsaCount: number
  /** kcat's own minor page faults and CPU seconds, per run (consume rows). */
  mockClient: ClientUsage[]
  samsaClient: ClientUsage[]
}

interface ClientUsage {
  faults: number
  cpu: number
}

const topicsFor = (partitions: number, tag: string): [string, number][] =>
  Array.from({ length: RUNS }, (_, run) => [`${tag}-r${run}`, partitions])
/** Every broker's first run pays for its heap, request frames and tail cache taking new memory: one untimed run. */
const WARMUP_TOPIC = 'warmup'
const topicList: [string, number][] = [
  [WARMUP_TOPIC, 1],
  ...topicsFor(1, 'p1'),
  ['p1-consume', 1],
  ...topicsFor(32, 'p32'),
  ['p32-consume', 32],
  ...topicsFor(1, 'kb'),
]

/**
 * kcat's consumer stops fetching a partition while its local queue holds over queued.min.messages (100,000)
 * records, and wakes to fetch again on a timer, not when the queue drains: that stall (0–1 s, at random) would
 * dominate the consume rows. Both sides get these same settings, so the rows measure the brokers.
 */
const CONSUMER_QUEUE = '-X queued.min.messages=10000000 -X queued.max.messages.kbytes=2097151'
const CONSUME_RUNS = Number(process.env.BENCH_CONSUME_RUNS ?? 7)
/**
 * Samsa answers a Fetch as Kafka does, with up to max.partition.fetch.bytes (librdkafka: fetch.message.max.bytes,
 * 1 MiB) from every partition: ~30 MB responses across 32 partitions. The mock answers with one stored batch per
 * partition, ~1 MB. librdkafka reads each response into one buffer of its size, and a fresh 30 MB buffer is
 * page-faulted in as it fills, where 1 MB buffers are reused. A second 32-partition row therefore asks both brokers
 * for responses of at most 1 MiB, so that they are compared on responses of the same size.
 */
const SMALL_RESPONSES = '-X fetch.max.bytes=1048576'
/** GNU time writes kcat's minor page faults and CPU seconds here (Debian package `time`). */
const kcatUsageFile = join(work, 'kcat-usage')
const timeKcat = `/usr/bin/time -f '%R %U %S' -o ${kcatUsageFile}`
function kcatUsage(): ClientUsage {
  const [faults, user, system] = readFileSync(kcatUsageFile, 'utf8').trim().split(/\s+/).map(Number)
  return { faults: faults as number, cpu: (user as number) + (system as number) }
}
/** A second Samsa runs the 1 KB rows again with large appends going around the page cache (storage fs/direct-append.ts). */
const DIRECT_APPEND = 'samsa.log.direct.append.min.bytes'
const DIRECT_APPEND_BYTES = 262144
const KB_WARMUP_TOPIC = 'kb-warmup'
/**
 * A third Samsa (default settings) runs the 1 KB rows from inside a memory cgroup that its page cache has filled
 * first, so that new pages come from reclaiming its own: the steady state of a broker that has run a while.
 */
const STEADY_CGROUP_BYTES = 1024 ** 3
const STEADY_FILL_RUNS = 6
const steadyCgroup = createMemoryCgroup(`samsa-bench-${process.pid}`, STEADY_CGROUP_BYTES)
const steadyFill: string[] = []

const kcatFor = (target: Target): string => `kcat -b ${target.bootstrap} -X acks=all -q`

/** Runs `command(side)` once per side, alternating which goes first, so drift on the machine hits both alike. */
function sideBySide(round: number, command: (side: Side) => void): void {
  const order: Side[] = round % 2 === 0 ? ['mock', 'samsa'] : ['samsa', 'mock']
  for (const side of order) command(side)
}

type Side = 'mock' | 'samsa'

/** Samsa alone consuming everything it holds (the mock cannot: it keeps only the newest ~5 MB per partition). */
const samsaConsumedAll: string[] = []

/**
 * Deletes from the front of each partition of `topic` on Samsa what the mock no longer holds, so that both hold the
 * same records (the topic was produced with keyed records, which kcat puts in the same partitions on both sides).
 */
async function trimToMatch(targets: Record<Side, Target>, topic: string): Promise<void> {
  // The first offset the mock still has in each partition: "partition offset" lines.
  const firsts = timed(
    `${kcatFor(targets.mock)} -C -t ${topic} -o beginning -e -f '%p %o\\n' | awk '!($1 in first) { first[$1] = $2 } END { for (p in first) print p, first[p] }'`,
  )
  const partitions = firsts.output
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number) as [number, number])
    .filter(([, offset]) => offset > 0)
    .map(([partition, offset]) => ({ topic, partition, offset: BigInt(offset) }))
  if (partitions.length === 0) return
  const admin = createAdmin({ bootstrapServers: targets.samsa.bootstrap })
  try {
    await admin.deleteRecords({ partitions })
  } finally {
    await admin.close()
  }
}

/** `count` lines of `k<n>:` and `size` bytes of value, for kcat -K: (distinct keys spread over the partitions). */
function writeKeyedLines(path: string, count: number, size: number): void {
  const value = 'x'.repeat(size)
  const fd = openSync(path, 'w')
  for (let i = 0; i < count; i += 10_000) {
    const lines = Array.from({ length: Math.min(10_000, count - i) }, (_, j) => `k${i + j}:${value}\n`)
    writeSync(fd, lines.join(''))
  }
  closeSync(fd)
}

async function runAll(
  targets: Record<Side, Target> & { samsaDirect: Target; samsaSteady: Target | undefined },
  rows: Map<string, Row>,
): Promise<void> {
  for (const side of ['mock', 'samsa'] as const) timed(`${kcatFor(targets[side])} -P -t ${WARMUP_TOPIC} -l ${file100}`)
  for (const [tag, partitions] of [
    ['p1', 1],
    ['p32', 32],
  ] as const) {
    const produceRow = `produce ${RECORDS.toLocaleString('en-US')} × 100 B, ${partitions} partition(s)`
    for (let run = 0; run < RUNS; run++) {
      sideBySide(run, (side) => {
        const produce = timed(`${kcatFor(targets[side])} -P -t ${tag}-r${run} -l ${file100}`, targets[side].process.pid)
        record(rows, produceRow, side, produce, RECORDS)
      })
    }
    // The mock keeps only the newest ~5 MB of each partition (see the header), so the consume rows read a topic that
    // holds the same records on both sides: `held` keyed records (as many as the mock kept of the last produce run)
    // go to a fresh topic on each, where the keys put every record in the same partition at the same offset; then
    // Samsa deletes (DeleteRecords) what the mock dropped from the front of each partition. Reading the last produce
    // topic instead, kcat's prefetch would pull records past the count from Samsa, which holds them all.
    const topic = `${tag}-r${RUNS - 1}`
    const consumeAll = (side: Side, from: string): { count: number; seconds: number } => {
      const all = timed(`${kcatFor(targets[side])} -C -t ${from} -o beginning -e -f '%p\\n' | wc -l`)
      return { count: Number(all.output.trim()), seconds: all.seconds }
    }
    const samsaAll = consumeAll('samsa', topic)
    samsaConsumedAll.push(
      `${samsaAll.count.toLocaleString('en-US')} records from ${partitions} partition(s) in ${samsaAll.seconds.toFixed(2)} s ` +
        `(including kcat's final fetch.wait.max.ms long poll that detects the end)`,
    )
    const consumeTopic = `${tag}-consume`
    const keyedFile = join(work, `${consumeTopic}.txt`)
    writeKeyedLines(keyedFile, Math.min(consumeAll('mock', topic).count, samsaAll.count), 100)
    for (const side of ['mock', 'samsa'] as const) {
      timed(`${kcatFor(targets[side])} -K: -P -t ${consumeTopic} -l ${keyedFile}`)
    }
    await trimToMatch(targets, consumeTopic)
    const held = consumeAll('mock', consumeTopic).count
    const samsaHolds = consumeAll('samsa', consumeTopic).count
    if (samsaHolds !== held) throw new Error(`${consumeTopic}: the mock holds ${held} records, Samsa ${samsaHolds}`)
    const consumeRow = `consume ${partitions === 1 ? 'from' : 'across'} ${partitions} partition(s)`
    const variants = partitions === 1 ? [''] : ['', SMALL_RESPONSES]
    for (const flags of variants) {
      const what = flags === '' ? consumeRow : `${consumeRow}, kcat \`${flags}\``
      for (let run = 0; run < CONSUME_RUNS; run++) {
        sideBySide(run, (side) => {
          const consume = timed(
            `${timeKcat} ${kcatFor(targets[side])} ${CONSUMER_QUEUE} ${flags} -C -t ${consumeTopic} -o beginning -c ${held} -f '%p\\n' | wc -l`,
            targets[side].process.pid,
          )
          const count = Number(consume.output.trim())
          if (count !== held) throw new Error(`${side} consumed ${count} of ${held} records from ${consumeTopic}`)
          record(rows, what, side, consume, count, kcatUsage())
        })
      }
    }
  }
  const kbRow = `produce ${KB_RECORDS.toLocaleString('en-US')} × 1 KB (MB/s ingest)`
  const kbDirectRow = `${kbRow}, Samsa with ${DIRECT_APPEND}=${DIRECT_APPEND_BYTES}`
  // The second Samsa has taken nothing yet, while the first took 3.6 million records above: one untimed run lets
  // its heap, tail cache and writer thread come up before it is measured too.
  timed(`${kcatFor(targets.samsaDirect)} -P -t ${KB_WARMUP_TOPIC} -l ${file1k}`)
  const { samsaSteady } = targets
  const kbSteadyRow = `${kbRow}, Samsa's page cache full (a memory cgroup of ${STEADY_CGROUP_BYTES / 1024 ** 3} GiB)`
  if (samsaSteady !== undefined && steadyCgroup !== null) {
    for (let fill = 0; fill < STEADY_FILL_RUNS && steadyCgroup.usage() < 0.95 * STEADY_CGROUP_BYTES; fill++) {
      timed(`${kcatFor(samsaSteady)} -P -t kb-fill-${fill} -l ${file1k}`)
      steadyFill.push(`${(steadyCgroup.usage() / 1024 ** 2).toFixed(0)} MiB`)
    }
  }
  /** One 1 KB produce run into kb-r<run> on the mock and on `samsa`, recorded under `row`. */
  const kbRun = (samsa: Target, row: string, run: number): void => {
    const pair = { mock: targets.mock, samsa }
    sideBySide(run, (side) => {
      const produce = timed(`${kcatFor(pair[side])} -P -t kb-r${run} -l ${file1k}`, pair[side].process.pid)
      record(rows, row, side, produce, KB_RECORDS)
    })
  }
  // What this machine allows any writer at this moment: the same bytes appended to a new file through the page
  // cache by dd, 1 MiB at a time (no fsync, like the brokers); from inside a memory cgroup when one is named.
  const ddMBps = (name: string, cgroupPath?: string): number => {
    const dd = `dd if=${file1k} of=${join(work, name)} bs=1M status=none`
    const run = timed(cgroupPath === undefined ? dd : `sh -c 'echo $$ > ${cgroupPath}/cgroup.procs && exec ${dd}'`)
    return (KB_RECORDS * 1001) / run.seconds / 1e6
  }
  for (let run = 0; run < RUNS; run++) {
    kbRun(targets.samsa, kbRow, run)
    kbRun(targets.samsaDirect, kbDirectRow, run)
    pageCacheAppendMBps.push(ddMBps(`dd-r${run}`))
    if (samsaSteady === undefined || steadyCgroup === null) continue
    kbRun(samsaSteady, kbSteadyRow, run)
    steadyPageCacheAppendMBps.push(ddMBps(`dd-steady-r${run}`, steadyCgroup.path))
  }
}

/** The same dd, run inside the full cgroup (its pages come from reclaiming the broker's). */
const steadyPageCacheAppendMBps: number[] = []

/** MB/s of dd appending the 1 KB file to a new file, once per 1 KB run. */
const pageCacheAppendMBps: number[] = []

function record(
  rows: Map<string, Row>,
  what: string,
  side: Side,
  run: { seconds: number; cpu: number },
  count: number,
  client?: ClientUsage,
): void {
  const row = rows.get(what) ?? {
    what,
    mock: [],
    samsa: [],
    mockCpu: [],
    samsaCpu: [],
    mockCount: 0,
    samsaCount: 0,
    mockClient: [],
    samsaClient: [],
  }
  row[side].push(run.seconds)
  row[side === 'mock' ? 'mockCpu' : 'samsaCpu'].push(run.cpu)
  if (client !== undefined) row[side === 'mock' ? 'mockClient' : 'samsaClient'].push(client)
  if (side === 'mock') row.mockCount = count
  else row.samsaCount = count
  rows.set(what, row)
}

const coldStarts: number[] = []
for (let i = 0; i < 3; i++) {
  const dir = mkdtempSync(join(work, 'cold-'))
  const broker = await startSamsa(dir)
  coldStarts.push(broker.coldStartMs)
  await broker.stop()
}

const rows = new Map<string, Row>()
const mock = await startMock(topicList)
const samsa = await startSamsa(mkdtempSync(join(work, 'data-')))
const samsaDirect = await startSamsa(mkdtempSync(join(work, 'data-direct-')), {
  [DIRECT_APPEND]: DIRECT_APPEND_BYTES,
})
const samsaSteady = steadyCgroup === null ? undefined : await startSamsa(mkdtempSync(join(work, 'data-steady-')))
if (samsaSteady?.process.pid !== undefined) steadyCgroup?.add(samsaSteady.process.pid)
const steadyTopics: [string, number][] = [
  ...topicsFor(1, 'kb'),
  ...Array.from({ length: STEADY_FILL_RUNS }, (_, i): [string, number] => [`kb-fill-${i}`, 1]),
]
let mockRss = NaN
let samsaRss = NaN
try {
  for (const [broker, topics] of [
    [samsa, topicList],
    [samsaDirect, [...topicsFor(1, 'kb'), [KB_WARMUP_TOPIC, 1]]],
    ...(samsaSteady === undefined ? [] : [[samsaSteady, steadyTopics] as const]),
  ] as const) {
    const admin = createAdmin({ bootstrapServers: broker.bootstrap })
    try {
      await admin.createTopics({
        topics: topics.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
      })
    } finally {
      await admin.close()
    }
  }
  await runAll({ mock, samsa, samsaDirect, samsaSteady }, rows)
  mockRss = peakRssMb(mock.process.pid)
  samsaRss = peakRssMb(samsa.process.pid)
} finally {
  await Promise.all([mock.stop(), samsa.stop(), samsaDirect.stop(), samsaSteady?.stop()])
  steadyCgroup?.remove()
}

const lines = [
  `Both brokers run at once and every step alternates between them; each took one untimed ${RECORDS.toLocaleString('en-US')} × 100 B run first. Wall times are medians: produce rows of ${RUNS} runs (each into its own topic), consume rows of ${CONSUME_RUNS} runs over the last run's topic. Ratio = Samsa ÷ mock wall time; below 1 means Samsa is faster. CPU s = CPU time (user + system, median) the broker process used during the run, out of 2 cores shared with kcat.`,
  `Consume rows read the same records from both: a topic of keyed records, as many as the mock still held of the last produce run (it keeps ~5 MB per partition), from which Samsa deleted (DeleteRecords) what the mock dropped, so that neither side holds records past them for kcat to prefetch; kcat's \`${CONSUMER_QUEUE}\` on both sides (see bench/kcat-vs-mock.ts).`,
  '',
  '| what | mock s | Samsa s | ratio | mock records | Samsa records | Samsa rate | mock CPU s | Samsa CPU s |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
]
/** "0.81 (CPU 0.79), …": each run's wall time and the broker's CPU seconds in it. */
const runs = (wall: number[], cpu: number[]): string =>
  wall.map((t, i) => `${t.toFixed(2)} (CPU ${(cpu[i] ?? NaN).toFixed(2)})`).join(', ')
const steadyDd =
  steadyPageCacheAppendMBps.length === 0
    ? ''
    : `; inside the full cgroup: ${steadyPageCacheAppendMBps.map((r) => r.toFixed(0)).join(', ')} MB/s`
const steadyNote =
  steadyCgroup === null
    ? 'The page-cache-full row did not run: no writable memory cgroup here (bench/memory-cgroup.ts).'
    : `The page-cache-full row's broker (default settings) runs in a memory cgroup of ${STEADY_CGROUP_BYTES / 1024 ** 3} GiB that its own untimed 1 KB runs filled first (${steadyFill.join(', ')} charged after each), so its new pages come from reclaiming old ones, as on a server whose memory the page cache has filled (bench/memory-cgroup.ts).`
const runLines: string[] = []
const clientLines: string[] = []
for (const row of rows.values()) {
  if (row.samsaClient.length > 0) {
    const usage = (list: ClientUsage[]): string =>
      `${median(list.map((u) => u.faults)).toLocaleString('en-US')} | ${median(list.map((u) => u.cpu)).toFixed(2)}`
    clientLines.push(`| ${row.what} | ${usage(row.mockClient)} | ${usage(row.samsaClient)} |`)
  }
  runLines.push(`  - ${row.what}: mock ${runs(row.mock, row.mockCpu)}; Samsa ${runs(row.samsa, row.samsaCpu)}`)
  const m = median(row.mock)
  const s = median(row.samsa)
  const ratio = s / m
  const isKb = row.what.includes('1 KB')
  const rate = isKb
    ? `${((row.samsaCount * 1000) / s / 1e6).toFixed(0)} MB/s`
    : `${Math.round(row.samsaCount / s).toLocaleString('en-US')} rec/s`
  lines.push(
    `| ${row.what} | ${m.toFixed(2)} | ${s.toFixed(2)} | ${ratio.toFixed(2)} | ${row.mockCount.toLocaleString('en-US')} | ${row.samsaCount.toLocaleString('en-US')} | ${rate} | ${median(row.mockCpu).toFixed(2)} | ${median(row.samsaCpu).toFixed(2)} |`,
  )
}
lines.push(
  '',
  `- Guest memory at the start: ${memoryAtStart}. Samsa's produce rows write new page cache; once that comes from memory the guest has handed back to the host, each new page faults there first and the broker's CPU for the same run can double (LIMITS.md §2.2; compare the CPU seconds of the runs below). The mock keeps ~5 MB per partition and allocates nothing new.`,
  "- kcat's own minor page faults and CPU seconds (user + system) in the consume rows, medians. Samsa's ~30 MB responses (Kafka's size for 32 partitions, see `SMALL_RESPONSES` in bench/kcat-vs-mock.ts) cost kcat a freshly faulted page for every 4 KiB received, the mock's ~1 MB ones do not; asked for responses of at most 1 MiB, both brokers send the same size:",
  '',
  '  | consume | mock: kcat faults | mock: kcat CPU s | Samsa: kcat faults | Samsa: kcat CPU s |',
  '  | --- | ---: | ---: | ---: | ---: |',
  ...clientLines.map((line) => `  ${line}`),
  '',
  "- Every run, in seconds (with the broker process's CPU seconds in it):",
  ...runLines,
  `- The same 300 MB appended to a new file through the page cache by \`dd bs=1M\` (no fsync), right after each set of 1 KB runs: ${pageCacheAppendMBps.map((r) => r.toFixed(0)).join(', ')} MB/s${steadyDd}. The first 1 KB row's broker fills never-touched memory with page cache, which on this VM faults at the host first (LIMITS.md §2.2): dd's rate at that moment is the ceiling for any writer that goes through the page cache. ${steadyNote} The direct row's broker writes appends of ${DIRECT_APPEND_BYTES} bytes or more with O_DIRECT instead (\`${DIRECT_APPEND}\`, off by default); it took one untimed 1 KB run first, as the first had taken one untimed 100 B run and the 100 B rows: a broker's first run pays for its heap and tail cache (\`samsa.log.tail.cache.bytes\`, 128 MiB) taking new memory.`,
  `- Samsa consuming all it holds with \`-e\`, once: ${samsaConsumedAll.join('; ')}.`,
  `- Peak RSS: Samsa ${samsaRss.toFixed(0)} MB, mock ${mockRss.toFixed(0)} MB.`,
  `- Cold start of the compiled \`samsa broker\` to accepting connections (spawn → first TCP connect): ${coldStarts.map((t) => t.toFixed(0)).join(', ')} ms (median ${median(coldStarts).toFixed(0)} ms).`,
  `- kcat: \`${/Version .*/.exec(execFileSync('kcat', ['-V'], { encoding: 'utf8' }))?.[0] ?? 'unknown'}\`.`,
  '- Targets (issue 3): produce ≤ 1.5× the mock, consume ≤ 1.0×, 1 KB ingest ≥ 300 MB/s, cold start < 300 ms.',
)
const body = lines.join('\n')
console.log(body)
writeResults('bench/results/broker.md', 'Samsa broker vs librdkafka mock cluster (kcat)', 'npm run bench:broker', body)
rmSync(work, { recursive: true, force: true })
