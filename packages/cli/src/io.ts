// What a command may touch of the outside world. Commands never use `process` directly, so tests run them
// in-process with captured output and scripted input, and the bin wires in the real streams.

import { createReadStream } from 'node:fs'

export interface Output {
  write(text: string): void
}

export interface CliIo {
  stdout: Output
  stderr: Output
  /** Standard input, read on demand (console-producer reads lines from it). */
  stdin(): AsyncIterable<Buffer | string> | Iterable<string>
  /** Whether stdin is a terminal: console-producer then prompts with ">" as Kafka's does. */
  stdinIsTTY: boolean
  /** Aborted on SIGINT/SIGTERM: long-running commands stop and print their totals, as Kafka's tools do. */
  signal: AbortSignal
}

/** The real process streams. */
export function processIo(signal: AbortSignal): CliIo {
  return {
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    stdin: () => process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    signal,
  }
}

/** Captured streams for tests: `out()` and `err()` return everything written so far. */
export interface CapturedIo extends CliIo {
  out(): string
  err(): string
}

export function captureIo(
  options: { stdin?: string | readonly string[] | AsyncIterable<string>; signal?: AbortSignal } = {},
): CapturedIo {
  let out = ''
  let err = ''
  const input = options.stdin ?? ''
  return {
    stdout: { write: (text) => void (out += text) },
    stderr: { write: (text) => void (err += text) },
    stdin: () => (typeof input === 'string' ? [input] : input),
    stdinIsTTY: false,
    signal: options.signal ?? new AbortController().signal,
    out: () => out,
    err: () => err,
  }
}

/** Lines of a stream (stdin or a file), without their line endings; a last line without "\n" counts. */
export async function* readLines(source: AsyncIterable<Buffer | string> | Iterable<string>): AsyncIterable<string> {
  let pending = ''
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    let newline = pending.indexOf('\n')
    while (newline >= 0) {
      const line = pending.slice(0, newline)
      yield line.endsWith('\r') ? line.slice(0, -1) : line
      pending = pending.slice(newline + 1)
      newline = pending.indexOf('\n')
    }
  }
  if (pending !== '') yield pending
}

export function fileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path)
}
