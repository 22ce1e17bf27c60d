// Child processes for the compatibility suite: every child is tracked and killed when the test process exits, and
// every run is bounded by a timeout and by the test's AbortSignal.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

const live = new Set<ChildProcess>()

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Spawns a tracked child: it is SIGKILLed if still running when this process exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options)
  live.add(child)
  child.once('exit', () => live.delete(child))
  child.once('error', () => live.delete(child))
  return child
}

/** Resolves once the child has exited; sends SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export interface RunOptions {
  timeoutMs: number
  signal?: AbortSignal
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export interface RunResult {
  stdout: string
  stderr: string
}

export class ChildFailed extends Error {
  constructor(message: string, stderr: string) {
    super(
      `${message}${stderr.trim() ? `\n--- stderr (tail) ---\n${stderr.trim().split('\n').slice(-30).join('\n')}` : ''}`,
    )
  }
}

/** Runs a command to completion; rejects with its stderr when it exits non-zero, is killed, or times out. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const child = spawnTracked(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (d: Buffer) => out.push(d))
  child.stderr?.on('data', (d: Buffer) => err.push(d))
  child.stdin?.on('error', () => {}) // a child that exits early closes its stdin: its exit status tells the story
  child.stdin?.end(options.input ?? '')
  const label = [command, ...args].join(' ').slice(0, 200)
  return new Promise((resolve, reject) => {
    let why: string | undefined
    const stop = (reason: string): void => {
      why ??= reason
      void stopChild(child, 2_000)
    }
    const timer = setTimeout(() => stop(`timed out after ${options.timeoutMs} ms`), options.timeoutMs)
    const onAbort = (): void => stop('aborted by the test')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (why !== undefined) reject(new ChildFailed(`${label}: ${why}`, stderr))
      else if (code !== 0) reject(new ChildFailed(`${label}: exited with ${code ?? signal}`, stderr))
      else resolve({ stdout, stderr })
    })
  })
}
