// Flag parsing for every subcommand, on node:util parseArgs (no dependency): Kafka's long flags, `--flag value`
// or `--flag=value`, repeatable `--config k=v`. Each command declares its flags once, with the help line, and the
// common ones (--bootstrap-server, --command-config, --output, --help) are added here. Mistakes become a
// UsageError whose message names the flag; the dispatcher prints it and exits 1.

import { parseArgs } from 'node:util'
import type { CliIo } from './io.ts'

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface FlagSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
  /** The argument's name in help ("name=value"); strings only. */
  arg?: string
  description: string
}

export type Flags = Record<string, FlagSpec>

export interface Command {
  /** e.g. "topics", "consumer-groups". */
  name: string
  /** One line for `samsa --help`. */
  summary: string
  /** Usage line(s) after "Usage: samsa <name> ". */
  usage: string
  flags: Flags
  /**
   * String flags whose value Kafka makes optional (`--state` alone or `--state Stable`), with the value that a
   * bare flag gets. parseArgs needs a value, so parse() supplies this one when none follows.
   */
  optionalValues?: Readonly<Record<string, string>>
  /** Flags that take every following word up to the next flag (`--producer-props acks=1 linger.ms=5`). */
  greedy?: readonly string[]
  run(args: ParsedArgs, io: CliIo): Promise<number>
}

export const COMMON_FLAGS: Flags = {
  'bootstrap-server': { type: 'string', arg: 'host:port[,host:port]', description: 'the Kafka (or Samsa) brokers' },
  'command-config': {
    type: 'string',
    arg: 'file',
    description: 'a Java .properties file of client configs (Kafka names)',
  },
  output: { type: 'string', arg: 'table|json', description: "'json' prints machine-readable output" },
  help: { type: 'boolean', description: 'show this help' },
  version: { type: 'boolean', description: 'show the samsa version' },
}

export class ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>
  readonly positionals: readonly string[]

  constructor(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]) {
    this.values = values
    this.positionals = positionals
  }

  has(name: string): boolean {
    return this.values[name] !== undefined
  }

  string(name: string): string | undefined {
    const v = this.values[name]
    return Array.isArray(v) ? v.at(-1) : typeof v === 'string' ? v : undefined
  }

  requireString(name: string, why = ''): string {
    const v = this.string(name)
    if (v === undefined || v === '') throw new UsageError(`--${name} is required${why}`)
    return v
  }

  list(name: string): string[] {
    const v = this.values[name]
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
  }

  flag(name: string): boolean {
    return this.values[name] === true
  }

  /** An integer flag within [min, max]; undefined when absent. */
  int(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const raw = this.string(name)
    if (raw === undefined) return undefined
    const n = Number(raw)
    if (raw.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${raw}'`)
    if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`)
    return n
  }

  /** A bigint flag (offsets); undefined when absent. */
  bigint(name: string): bigint | undefined {
    const raw = this.string(name)
    if (raw === undefined) return undefined
    if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be an integer, got '${raw}'`)
    return BigInt(raw.trim())
  }

  get json(): boolean {
    const output = this.string('output')
    if (output === undefined || output === 'table') return false
    if (output === 'json') return true
    throw new UsageError(`--output must be table or json, got '${output}'`)
  }

  /** Fails when more than one (or, with `required`, none) of the flags is given. */
  exactlyOne(names: readonly string[], required = true): string | undefined {
    const given = names.filter((n) => this.has(n))
    if (given.length > 1) throw new UsageError(`only one of ${names.map((n) => `--${n}`).join(', ')} may be given`)
    if (given.length === 0 && required) {
      throw new UsageError(`Command must include exactly one action: ${names.map((n) => `--${n}`).join(', ')}`)
    }
    return given[0]
  }

  /** Fails when `name` is given without any of `allowedWith` (Kafka's checkInvalidArgs). */
  onlyWith(name: string, allowedWith: readonly string[]): void {
    if (this.has(name) && !allowedWith.some((a) => this.has(a))) {
      throw new UsageError(`--${name} can only be used with ${allowedWith.map((a) => `--${a}`).join(' or ')}`)
    }
  }
}

export function parse(command: Command, argv: readonly string[]): ParsedArgs {
  const flags = { ...COMMON_FLAGS, ...command.flags }
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {}
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = { type: spec.type, ...(spec.multiple === true ? { multiple: true } : {}) }
  }
  options.help = { type: 'boolean', short: 'h' }
  const filled: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    filled.push(token)
    const name = token.slice(2)
    const bare = command.optionalValues?.[name]
    const next = argv[i + 1]
    if (token.startsWith('--') && bare !== undefined && (next === undefined || next.startsWith('--'))) {
      filled.push(bare)
    } else if (token.startsWith('--') && command.greedy?.includes(name) === true) {
      filled.pop()
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) filled.push(`${token}=${argv[++i]}`)
      if (filled.at(-1)?.startsWith(`${token}=`) !== true) filled.push(token)
    } else if (token.startsWith('--') && flags[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      // Kafka's tools take `--shift-by -1`; parseArgs would call a value starting with '-' ambiguous.
      filled[filled.length - 1] = `${token}=${next}`
      i++
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: filled, options, allowPositionals: true, strict: true })
    return new ParsedArgs(values as Record<string, string | boolean | string[] | undefined>, positionals)
  } catch (e) {
    // parseArgs' messages already name the flag ("Unknown option '--topci'"); drop its hint about '--'.
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
}

export function helpText(command: Command): string {
  const flags = { ...command.flags, ...COMMON_FLAGS }
  const rows = Object.entries(flags).map(([name, spec]) => {
    const left = `--${name}${spec.type === 'string' ? ` <${spec.arg ?? 'value'}>` : ''}`
    return [left, spec.description + (spec.multiple === true ? ' (repeatable)' : '')] as const
  })
  const width = Math.max(...rows.map(([left]) => left.length)) + 2
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`)
  return `Usage: samsa ${command.name} ${command.usage}\n\n${command.summary}\n\nOptions:\n${lines.join('\n')}\n`
}

/** `k=v` pairs (--config, --property, ...) into an object; the flag is named when one has no '='. */
export function keyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--${flag} takes key=value, got '${pair}'`)
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim()
  }
  return out
}
