// Tiny benchmark harness: time-boxed loops measured with process.hrtime, results written with the command that
// produced them and the machine they ran on. Benchmarks compare things side by side in one run; there are no
// thresholds here (machines are shared and noisy) — targets are judged by reading the results.

import { writeFileSync, mkdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname } from 'node:path'

export interface Measurement {
  name: string
  opsPerSec: number
  /** Bytes processed per op, to report MB/s. */
  bytesPerOp?: number
  note?: string
}

/** Runs `fn` for a warm-up then for at least `seconds`, returning ops/s. */
export function measure(
  name: string,
  fn: () => unknown,
  opts: { seconds?: number; bytesPerOp?: number; note?: string } = {},
): Measurement {
  const seconds = opts.seconds ?? 0.6
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(seconds * 0.25e9))
  while (process.hrtime.bigint() < warmEnd) fn()
  let ops = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(seconds * 1e9))
  let now = start
  while (now < end) {
    for (let i = 0; i < 16; i++) fn()
    ops += 16
    now = process.hrtime.bigint()
  }
  const elapsed = Number(now - start) / 1e9
  const m: Measurement = { name, opsPerSec: ops / elapsed }
  if (opts.bytesPerOp !== undefined) m.bytesPerOp = opts.bytesPerOp
  if (opts.note !== undefined) m.note = opts.note
  return m
}

export function formatTable(rows: Measurement[]): string {
  const lines = ['| benchmark | ops/s | MB/s | note |', '| --- | ---: | ---: | --- |']
  for (const r of rows) {
    const mbs = r.bytesPerOp ? ((r.opsPerSec * r.bytesPerOp) / 1e6).toFixed(0) : ''
    lines.push(`| ${r.name} | ${Math.round(r.opsPerSec).toLocaleString('en-US')} | ${mbs} | ${r.note ?? ''} |`)
  }
  return lines.join('\n')
}

export function writeResults(path: string, title: string, command: string, body: string): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const text = [
    `# ${title}`,
    '',
    `- command: \`${command}\``,
    `- node: ${process.version}, ${cpus().length} × ${cpu}`,
    `- date: ${new Date().toISOString()}`,
    '',
    body,
    '',
  ].join('\n')
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}
