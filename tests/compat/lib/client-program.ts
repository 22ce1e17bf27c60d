// The program side of lib/child-driver.ts for client programs written in TypeScript (e.g. run under Node 22):
// `serve` answers JSON-line step requests on stdin; otherwise argv is one step to run (for debugging).

import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

export interface StepArgs {
  bootstrap: string
  timeout: number
  topic: string
  partitions: number
  codec: string
  in: string
  out: string
}

/** A step returns what it prints (the offsets step's JSON); logs go to stderr. */
export type ProgramStep = (args: StepArgs) => Promise<string>

function parse(argv: string[]): { step: string; args: StepArgs } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      bootstrap: { type: 'string', default: '' },
      timeout: { type: 'string', default: '30' },
      topic: { type: 'string', default: '' },
      partitions: { type: 'string', default: '0' },
      codec: { type: 'string', default: 'none' },
      in: { type: 'string', default: '' },
      out: { type: 'string', default: '' },
    },
  })
  const args = { ...values, timeout: Number(values.timeout), partitions: Number(values.partitions) }
  return { step: positionals[0] ?? '', args }
}

async function runStep(
  steps: Record<string, ProgramStep>,
  argv: string[],
): Promise<{ ok: boolean; stdout?: string; error?: string }> {
  try {
    const { step, args } = parse(argv)
    const fn = steps[step]
    if (!fn) throw new Error(`unknown step "${step}"`)
    return { ok: true, stdout: await fn(args) }
  } catch (error) {
    console.error(error)
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

export async function serveSteps(steps: Record<string, ProgramStep>): Promise<void> {
  const argv = process.argv.slice(2)
  if (argv[0] !== 'serve') {
    const reply = await runStep(steps, argv)
    process.stdout.write(reply.ok ? (reply.stdout ?? '') : '')
    process.exitCode = reply.ok ? 0 : 1
    return
  }
  // one request at a time, in order: the parent waits for each reply before sending the next request
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue
    const request = JSON.parse(line) as { argv: string[] }
    process.stdout.write(JSON.stringify(await runStep(steps, request.argv)) + '\n')
  }
}
