// npm run bench:cold-start [-- label=entry.js ...] — cold start of the broker, spawn → first accepted TCP
// connection (the method of testkit's startBrokerProcess and bench:broker), several starts per entry, interleaved
// so that a busy moment on the machine hits every entry alike. Light on purpose: one broker at a time, fresh
// empty data dir each start, stopped with SIGTERM as soon as it accepts.
//
// Default entries: the `samsa` bin (@samsa/cli's, what `npx samsa broker` runs: it hands `broker` to the broker's
// entry before loading any CLI code), the broker's own entry (packages/broker/bin/samsa.js, what `npm start` runs)
// and the unbundled tsc output (packages/broker/dist/main.js), so one run compares them. Needs `npm run build`.
// COLD_START_RUNS (default 10) sets the starts per entry.

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from '@samsa/testkit'

const RUNS = Number(process.env.COLD_START_RUNS ?? 10)
const root = new URL('..', import.meta.url).pathname

const entries: [string, string][] =
  process.argv.length > 2
    ? process.argv.slice(2).map((arg) => {
        const at = arg.indexOf('=')
        return at < 0 ? [arg, arg] : [arg.slice(0, at), arg.slice(at + 1)]
      })
    : [
        ['samsa bin (cli/bin/samsa.js)', join(root, 'packages/cli/bin/samsa.js')],
        ['broker entry (broker/bin/samsa.js)', join(root, 'packages/broker/bin/samsa.js')],
        ['tsc output (dist/main.js)', join(root, 'packages/broker/dist/main.js')],
      ]

async function coldStart(entry: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-cold-'))
  const port = await freePort()
  const args = [entry, 'broker', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`]
  args.push('--override', `log.dirs=${dataDir}`)
  const started = process.hrtime.bigint()
  // stderr is kept, not shown: the broker's log lines would bury the results; it is printed if a start fails.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await Promise.race([
      waitForPort('127.0.0.1', port, 30_000),
      exited.then(() => Promise.reject(new Error(`${entry} exited before accepting connections:\n${stderr}`))),
    ])
    return Number(process.hrtime.bigint() - started) / 1e6
  } finally {
    child.kill('SIGTERM')
    await exited
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const times = new Map<string, number[]>(entries.map(([label]) => [label, []]))
await coldStart(entries[0]![1]) // warm the OS file cache so the first measured start is not the odd one out
for (let run = 0; run < RUNS; run++) {
  for (const [label, entry] of entries) times.get(label)!.push(await coldStart(entry))
}
for (const [label, ts] of times) {
  const list = ts.map((t) => t.toFixed(0)).join(', ')
  console.log(`${label}: median ${median(ts).toFixed(0)} ms (min ${Math.min(...ts).toFixed(0)}; ${list})`)
}
