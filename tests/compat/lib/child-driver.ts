// A ClientDriver whose steps run in a client program (Python under /usr/bin/python3, or a Node 22 script), started
// once as `<program> serve` and kept for the whole test file, since loading a client library can take a second.
// Requests and replies are JSON lines on the program's stdin/stdout (its logs go to stderr):
//   → {"argv": ["produce", "--bootstrap", "h:p", "--timeout", "S", "--topic", "T", ...]}
//   ← {"ok": true, "stdout": "..."}  or  {"ok": false, "error": "..."}
// Steps and their flags (every step also gets --bootstrap and --timeout, the seconds it may take):
//   create   --topic T --partitions N
//   produce  --topic T --codec C --in records.jsonl --out deliveries.jsonl (written only by clients that report
//            per-record offsets)
//   consume  --topic T --partitions N --out consumed.jsonl
//   offsets  --topic T --partitions N            (stdout: [{"partition","earliest","latest"}])
//   delete   --topic T
// A step that overruns its bound kills the program; the next step starts a fresh one.

import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { spawnTracked, stopChild } from './processes.ts'
import { readConsumedFile, readDeliveriesFile, writeRecordsFile, type PartitionOffsets } from './records.ts'
import { StepTimeout, type ClientDriver, type Step } from './scenario.ts'
import type { Target } from './target.ts'

export interface ChildClient {
  /** The program and the arguments before `serve`. */
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  /** Whether the program implements create/delete through the client's admin API. */
  admin: boolean
}

interface Reply {
  ok: boolean
  stdout?: string
  error?: string
}

/** One running `serve` program: requests are answered in order, one at a time. */
class ClientProcess {
  private readonly child: ChildProcess
  private readonly waiting: ((reply: Reply) => void)[] = []
  private stderr = ''
  private exited: string | undefined

  constructor(client: ChildClient) {
    this.child = spawnTracked(client.command, [...client.args, 'serve'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: client.env,
    })
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000)
    })
    this.child.stdin?.on('error', () => {}) // reported through 'exit'
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let reply: Reply
      try {
        reply = JSON.parse(line) as Reply
      } catch {
        reply = { ok: false, error: `unparsable reply line: ${line.slice(0, 200)}` }
      }
      this.waiting.shift()?.(reply)
    })
    this.child.once('exit', (code, signal) => {
      this.exited = `client program exited (${code ?? signal})`
      for (const resolve of this.waiting.splice(0)) resolve({ ok: false, error: this.exited })
    })
  }

  get alive(): boolean {
    return this.exited === undefined
  }

  request(argv: string[], step: Step): Promise<string> {
    return new Promise((resolve, reject) => {
      const fail = (why: string, timeout = false): void => {
        const tail = this.stderr.trim().split('\n').slice(-12).join('\n')
        const message = `${argv.slice(0, 1).join(' ')} ${argv.slice(5).join(' ')}: ${why}`
        const Failure = timeout ? StepTimeout : Error
        reject(new Failure(tail ? `${message}\n--- client stderr (tail) ---\n${tail}` : message))
      }
      const timer = setTimeout(() => {
        fail(`no answer within ${step.timeoutMs} ms`, true)
        void this.close()
      }, step.timeoutMs)
      const onAbort = (): void => {
        fail('aborted by the test')
        void this.close()
      }
      step.signal.addEventListener('abort', onAbort, { once: true })
      this.waiting.push((reply) => {
        clearTimeout(timer)
        step.signal.removeEventListener('abort', onAbort)
        if (reply.ok) resolve(reply.stdout ?? '')
        // a Python program that ran past its --timeout reports TimeoutError
        else fail(reply.error ?? 'failed', reply.error?.startsWith('TimeoutError') ?? false)
      })
      if (this.exited) this.waiting.pop()?.({ ok: false, error: this.exited })
      else this.child.stdin?.write(JSON.stringify({ argv }) + '\n')
    })
  }

  async close(): Promise<void> {
    this.exited ??= 'client program stopped by the test'
    this.child.stdin?.end()
    await stopChild(this.child)
  }
}

export function childDriver(client: ChildClient, target: Target, workDir: string): ClientDriver {
  let program: ClientProcess | undefined
  const step = (name: string, flags: string[], s: Step): Promise<string> => {
    if (!program?.alive) program = new ClientProcess(client)
    const seconds = String(Math.max(1, Math.floor(s.timeoutMs / 1000) - 2))
    return program.request([name, '--bootstrap', target.bootstrap, '--timeout', seconds, ...flags], s)
  }
  const file = (topic: string, what: string): string => join(workDir, `${topic}.${what}.jsonl`)

  const driver: ClientDriver = {
    async produce(topic, codec, records, s) {
      const input = file(topic, 'records')
      const output = file(topic, 'deliveries')
      await writeRecordsFile(input, records)
      await step('produce', ['--topic', topic, '--codec', codec, '--in', input, '--out', output], s)
      return existsSync(output) ? readDeliveriesFile(output) : undefined
    },
    async consume(topic, partitions, s) {
      const output = file(topic, 'consumed')
      await step('consume', ['--topic', topic, '--partitions', String(partitions), '--out', output], s)
      return readConsumedFile(output)
    },
    async listOffsets(topic, partitions, s) {
      const stdout = await step('offsets', ['--topic', topic, '--partitions', String(partitions)], s)
      return JSON.parse(stdout) as PartitionOffsets[]
    },
    async close() {
      await program?.close()
    },
  }
  if (client.admin) {
    driver.createTopic = async (topic, partitions, s) => {
      await step('create', ['--topic', topic, '--partitions', String(partitions)], s)
    }
    driver.deleteTopic = async (topic, s) => {
      await step('delete', ['--topic', topic], s)
    }
  }
  return driver
}
