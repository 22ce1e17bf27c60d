// Test helpers (not exported by the package): one in-process broker per test file in a fresh temp dir, and
// `samsa(...)`, which runs a command line in-process with captured stdout/stderr, the way a user would type it.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { silentLogger, startBroker, type RunningBroker } from '@samsa/broker'
import { run } from './index.ts'
import { captureIo } from './io.ts'

export interface CliFixture {
  broker: RunningBroker
  bootstrap: string
  /** Runs `samsa <argv...>` with --bootstrap-server added; resolves with the exit code and the output. */
  samsa(argv: readonly string[], options?: RunOptions): Promise<RunResult>
}

export interface RunOptions {
  stdin?: string | readonly string[] | AsyncIterable<string>
  signal?: AbortSignal
  /** Leave out --bootstrap-server (to test its absence or --command-config). */
  noBootstrap?: boolean
}

export interface RunResult {
  code: number
  out: string
  err: string
}

/** Registers before/after hooks starting a broker for the calling file; fields are set once `before` ran. */
export function cliFixture(config: Record<string, string | number | boolean> = {}): CliFixture {
  const fixture = {} as CliFixture
  let dir = ''
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'))
    fixture.broker = await startBroker({
      logger: silentLogger,
      host: '127.0.0.1',
      port: 0,
      config: { 'log.dirs': dir, 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0, ...config },
    })
    fixture.bootstrap = `127.0.0.1:${fixture.broker.port}`
    fixture.samsa = (argv, options = {}) =>
      runCli(options.noBootstrap === true ? argv : [...argv, '--bootstrap-server', fixture.bootstrap], options)
  })
  after(async () => {
    await fixture.broker.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return fixture
}

export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const io = captureIo({
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  const code = await run(argv, io)
  return { code, out: io.out(), err: io.err() }
}

let counter = 0
export function uniqueName(prefix = 'topic'): string {
  counter++
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}
