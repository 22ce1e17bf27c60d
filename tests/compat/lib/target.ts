// The broker a compatibility test file talks to, chosen by COMPAT_TARGET:
//   samsa    (default) a Samsa broker started in this process by @samsa/broker's startBroker(), on an ephemeral
//            port with its own temporary data directory, one per test file (COMPAT_BROKER_LOG: its log level,
//            default warn)
//   mock     librdkafka's mock cluster (bench/mock/mock-cluster.c built with gcc, against the librdkafka 2.15.1 that
//            @confluentinc/kafka-javascript builds, else Debian's 2.0.2). It has no CreateTopics/DeleteTopics, so
//            topics are created in the mock at start-up and the admin steps are skipped.
//   external an already running broker at COMPAT_BOOTSTRAP (default 127.0.0.1:9092), e.g. from `npm start`
// COMPAT_BROKER_CONFIG adds broker settings to a samsa target ("key=value" pairs separated by spaces or commas);
// `npm run test:compat:direct` runs the produce/consume files with direct appends and the writer thread that way.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { consoleLogger, startBroker, type LogLevel, type RunningBroker } from '@samsa/broker'
import { spawnTracked, stopChild } from './processes.ts'

export const repoRoot = new URL('../../../', import.meta.url).pathname

export type TargetKind = 'samsa' | 'mock' | 'external'

export interface Target {
  kind: TargetKind
  host: string
  port: number
  /** host:port */
  bootstrap: string
  /** Whether CreateTopics/DeleteTopics exist (false on the mock). */
  hasAdmin: boolean
  close(): Promise<void>
}

export interface TopicSpec {
  name: string
  partitions: number
}

export function targetKind(): TargetKind {
  const kind = process.env.COMPAT_TARGET ?? 'samsa'
  if (kind === 'samsa' || kind === 'mock' || kind === 'external') return kind
  throw new Error(`COMPAT_TARGET=${kind}: expected samsa, mock or external`)
}

/**
 * Starts the target for one test file. `topics` are the topics the file will use: the mock creates them up front
 * (it cannot create topics on request); Samsa and external brokers get them from the clients' admin APIs or from
 * auto-creation.
 */
export async function startTarget(topics: readonly TopicSpec[]): Promise<Target> {
  const kind = targetKind()
  if (kind === 'mock') return startMock(topics)
  if (kind === 'external') {
    const [host = '127.0.0.1', port = '9092'] = (process.env.COMPAT_BOOTSTRAP ?? '127.0.0.1:9092').split(':')
    return { kind, host, port: Number(port), bootstrap: `${host}:${port}`, hasAdmin: true, close: async () => {} }
  }
  return startSamsa()
}

async function startSamsa(): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'samsa-compat-'))
  let broker: RunningBroker
  try {
    broker = await startBroker({
      // num.partitions: kcat has no admin API, so its topic is auto-created with the broker default
      config: { 'log.dirs': dataDir, 'num.partitions': 3, 'auto.create.topics.enable': true, ...extraConfig() },
      host: '127.0.0.1',
      port: 0,
      logger: consoleLogger((process.env.COMPAT_BROKER_LOG ?? 'warn') as LogLevel),
    })
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  return {
    kind: 'samsa',
    host: broker.host,
    port: broker.port,
    bootstrap: `${broker.host}:${broker.port}`,
    hasAdmin: true,
    close: async () => {
      try {
        await broker.close()
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    },
  }
}

/** COMPAT_BROKER_CONFIG as broker config entries. */
function extraConfig(): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const pair of (process.env.COMPAT_BROKER_CONFIG ?? '').split(/[\s,]+/)) {
    if (pair === '') continue
    const at = pair.indexOf('=')
    if (at <= 0) throw new Error(`COMPAT_BROKER_CONFIG: expected key=value, got "${pair}"`)
    entries[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return entries
}

/** librdkafka to build the mock against: the 2.15.1 in @confluentinc/kafka-javascript's build if present. */
function mockLibrary(): { name: string; flags: string[] } {
  const deps = join(repoRoot, 'node_modules/@confluentinc/kafka-javascript/build/deps')
  if (existsSync(join(deps, 'librdkafka.so.1')) && existsSync(join(deps, 'include/librdkafka/rdkafka_mock.h'))) {
    return { name: 'ckjs', flags: [`-I${join(deps, 'include')}`, `-L${deps}`, '-lrdkafka', `-Wl,-rpath,${deps}`] }
  }
  return { name: 'debian', flags: ['-lrdkafka'] }
}

function buildMock(): string {
  const lib = mockLibrary()
  const dir = join(repoRoot, '.cache/compat')
  const binary = join(dir, `mock-cluster-${lib.name}`)
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true })
    const partial = `${binary}.${process.pid}`
    execFileSync('gcc', ['-O2', '-o', partial, join(repoRoot, 'bench/mock/mock-cluster.c'), ...lib.flags], {
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    renameSync(partial, binary)
  }
  return binary
}

async function startMock(topics: readonly TopicSpec[]): Promise<Target> {
  // -s: the mock stops by itself even if this process dies without killing it
  const args = ['-b', '1', '-s', '900', ...topics.flatMap((t) => ['-t', `${t.name}:${t.partitions}`])]
  const child = spawnTracked(buildMock(), args, { stdio: ['ignore', 'pipe', 'ignore'] })
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let text = ''
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString()
      const newline = text.indexOf('\n')
      if (newline >= 0) resolve(text.slice(0, newline).trim().split(',')[0] ?? '')
    })
    child.once('exit', (code) => reject(new Error(`mock cluster exited with ${code} before printing its address`)))
    child.once('error', reject)
  })
  const [host = '', port = ''] = bootstrap.split(':')
  return { kind: 'mock', host, port: Number(port), bootstrap, hasAdmin: false, close: () => stopChild(child) }
}
