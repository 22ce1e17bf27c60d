// A Samsa broker in its own process, for tests that must really kill it (kill -9) and for benchmarks that measure
// it from outside. It runs the TypeScript sources through tsx, as `npm start` does in a checkout, or the compiled bin.

import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { freePort, waitForPort } from './ports.ts'

const brokerMain = fileURLToPath(new URL('../../broker/src/main.ts', import.meta.url))
const brokerBin = fileURLToPath(new URL('../../broker/bin/samsa.js', import.meta.url))

export interface BrokerProcessOptions {
  dataDir: string
  /** Broker configs as `--override key=value` flags (Kafka's kafka-server-start convention). */
  overrides?: Record<string, string | number | boolean>
  /** Reuse a port (restarting on the same address); a free one is picked otherwise. */
  port?: number
  /** Where the broker's stdout/stderr go; default: inherited stderr, ignored stdout. */
  stdio?: 'inherit' | 'ignore'
  /** Append the broker's stderr (its log) to this file instead; overrides `stdio`. */
  logFile?: string
  startTimeoutMs?: number
  /**
   * 'source' (default) runs the TypeScript through tsx, as `npm start` does; 'compiled' runs the `samsa broker`
   * bin from dist/ (after `npm run build`), as `npx samsa broker` does — what start-up time should be judged on.
   */
  entry?: 'source' | 'compiled'
}

export interface BrokerProcess {
  readonly host: string
  readonly port: number
  readonly bootstrap: string
  readonly child: ChildProcess
  /** Milliseconds from spawn to the first accepted TCP connection. */
  readonly startMs: number
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | string>
  /** SIGKILL and wait: a crash, nothing flushed or checkpointed by the broker. */
  kill(): Promise<number | string>
  /** Peak resident set size (VmHWM) in MiB while the process is alive. */
  peakRssMiB(): number
  /** Current resident set size (VmRSS) in MiB while the process is alive. */
  rssMiB(): number
}

/** Spawns attempts on a port picked just before, so a parallel test may bind it first; the broker then exits. */
const PICKED_PORT_ATTEMPTS = 3

export async function startBrokerProcess(options: BrokerProcessOptions): Promise<BrokerProcess> {
  if (options.port !== undefined) return spawnBroker(options, options.port)
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnBroker(options, await freePort())
    } catch (error) {
      if (!(error instanceof ExitedEarly) || attempt === PICKED_PORT_ATTEMPTS) throw error
    }
  }
}

class ExitedEarly extends Error {}

async function spawnBroker(options: BrokerProcessOptions, port: number): Promise<BrokerProcess> {
  const host = '127.0.0.1'
  const overrides: Record<string, string | number | boolean> = {
    listeners: `PLAINTEXT://${host}:${port}`,
    'log.dirs': options.dataDir,
    ...options.overrides,
  }
  const args =
    options.entry === 'compiled' ? [brokerBin, 'broker'] : ['--conditions=source', '--import', 'tsx', brokerMain]
  for (const [key, value] of Object.entries(overrides)) args.push('--override', `${key}=${String(value)}`)
  const started = process.hrtime.bigint()
  const stdio = options.stdio ?? 'inherit'
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a')
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', logFd ?? stdio] })
  if (logFd !== undefined) closeSync(logFd) // the child holds its own copy
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  const failedEarly = exited.then((how) => {
    throw new ExitedEarly(`broker exited (${how}) before accepting connections on ${host}:${port}`)
  })
  failedEarly.catch(() => {})
  try {
    await Promise.race([waitForPort(host, port, options.startTimeoutMs ?? 30_000), failedEarly])
  } catch (error) {
    child.kill('SIGKILL') // a broker that never listened is not left running
    throw error
  }
  const startMs = Number(process.hrtime.bigint() - started) / 1e6
  const signalAndWait = (signal: NodeJS.Signals, graceMs: number): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      void exited.then(() => clearTimeout(timer))
    }
    return exited
  }
  return {
    host,
    port,
    bootstrap: `${host}:${port}`,
    child,
    startMs,
    exited,
    stop: (graceMs = 15_000) => signalAndWait('SIGTERM', graceMs),
    kill: () => signalAndWait('SIGKILL', 0),
    peakRssMiB: () => statusMiB(child, 'VmHWM'),
    rssMiB: () => statusMiB(child, 'VmRSS'),
  }
}

/** A memory line of the process's /proc status, in MiB. */
function statusMiB(child: ChildProcess, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024
}
