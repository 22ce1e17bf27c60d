// Config definitions in the shape of Kafka's ConfigDef: a dotted name, a type, a default, a validator, whether
// and how it can change at run time, and a one-line doc. Values arrive as strings (properties files, env, CLI,
// AlterConfigs) and are parsed by type; validation errors name the key so a bad server.properties fails at
// startup with a message that says which line to fix.
//
// Kafka's "long" configs stay `number` here (ARCHITECTURE.md §9.4): they are validated to fit in 2^53, and
// Long.MAX_VALUE defaults are represented by Number.MAX_SAFE_INTEGER, which is what the storage contract expects.

/** Kafka's ConfigDef.Type names; also the DescribeConfigs configType numbers (KIP-569). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const

export type ConfigTypeName = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password'

/** How a broker config may change at run time: Kafka's read-only / per-broker / cluster-wide dynamic configs. */
export type Dynamic = 'read-only' | 'per-broker' | 'cluster-wide'

export type ConfigValue = boolean | number | string | readonly string[] | null

export type ValueOf<T extends ConfigTypeName> = T extends 'boolean'
  ? boolean
  : T extends 'int' | 'short' | 'long' | 'double'
    ? number
    : T extends 'list'
      ? readonly string[]
      : string

export interface ConfigDef<T extends ConfigTypeName = ConfigTypeName> {
  readonly name: string
  readonly type: T
  /** The parsed default; null means "no value" (Kafka's null default, e.g. log.retention.ms). */
  readonly default: ValueOf<T> | null
  /** Returns why the value is not acceptable, or null. */
  validate?(value: ValueOf<T>): string | null
  readonly dynamic: Dynamic
  readonly doc: string
}

/** Kafka's Long.MAX_VALUE for configs such as log.flush.interval.messages, as the largest exact JS integer. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER
const INT_MAX = 2147483647
const INT_MIN = -2147483648

/** Keeps the literal names and types of a definition list so a typed config object can be derived from it. */
export function defineConfig<const D extends readonly ConfigDef[]>(defs: D): D {
  const seen = new Set<string>()
  for (const def of defs) {
    if (seen.has(def.name)) throw new Error(`config ${def.name} is defined twice`)
    seen.add(def.name)
  }
  return defs
}

type DefValue<E> = E extends { type: infer T extends ConfigTypeName; default: infer V }
  ? null extends V
    ? ValueOf<T> | null
    : ValueOf<T>
  : never

/** The frozen, typed object a definition list parses into: `config['log.segment.bytes']` is a number. */
export type ConfigObject<D extends readonly ConfigDef[]> = {
  readonly [E in D[number] as E['name']]: DefValue<E>
}

export class ConfigError extends Error {
  readonly key: string
  constructor(key: string, message: string) {
    super(message)
    this.name = 'ConfigError'
    this.key = key
  }
}

// --- parsing ---------------------------------------------------------------------------------------------------

/** Parses a string value by type (trimmed, as Kafka's ConfigDef.parseType does); throws ConfigError. */
export function parseValue(def: ConfigDef, raw: string | null): ConfigValue {
  if (raw === null) return null
  const text = def.type === 'password' || def.type === 'string' ? raw : raw.trim()
  const bad = (what: string) =>
    new ConfigError(def.name, `Invalid value ${JSON.stringify(raw)} for configuration ${def.name}: ${what}`)
  switch (def.type) {
    case 'boolean':
      if (/^true$/i.test(text)) return true
      if (/^false$/i.test(text)) return false
      throw bad('Expected value to be either true or false')
    case 'int':
    case 'short':
    case 'long': {
      if (!/^[+-]?\d+$/.test(text)) throw bad(`Not a number of type ${def.type.toUpperCase()}`)
      const n = Number(text)
      const [min, max] =
        def.type === 'short' ? [-32768, 32767] : def.type === 'int' ? [INT_MIN, INT_MAX] : [-LONG_MAX, LONG_MAX]
      // Long.MAX_VALUE written out in a Kafka properties file means "never"; map it to our largest exact integer.
      if (def.type === 'long' && text.replace(/^\+/, '') === '9223372036854775807') return LONG_MAX
      if (n < min || n > max) throw bad(`Not a number of type ${def.type.toUpperCase()} in [${min}, ${max}]`)
      return n
    }
    case 'double': {
      const n = Number(text)
      if (text === '' || !Number.isFinite(n)) throw bad('Not a number of type DOUBLE')
      return n
    }
    case 'list':
      return text === '' ? [] : text.split(',').map((s) => s.trim())
    case 'string':
    case 'class':
    case 'password':
      return text
  }
}

/** Parses and validates; throws ConfigError naming the key. */
export function parseAndValidate(def: ConfigDef, raw: string | null): ConfigValue {
  const value = parseValue(def, raw)
  if (value !== null && def.validate) {
    const problem = (def.validate as (v: ConfigValue) => string | null).call(def, value)
    if (problem !== null) {
      throw new ConfigError(def.name, `Invalid value ${JSON.stringify(raw)} for configuration ${def.name}: ${problem}`)
    }
  }
  return value
}

/** The string form of a value, as DescribeConfigs shows it. */
export function formatValue(def: ConfigDef, value: ConfigValue): string | null {
  if (value === null) return null
  if (Array.isArray(value)) return value.join(',')
  if (def.type === 'long' && value === LONG_MAX) return '9223372036854775807'
  if (def.type === 'double' && typeof value === 'number' && Number.isInteger(value)) return value.toFixed(1)
  return String(value)
}

// --- validators (Kafka's ConfigDef.Range / ValidString / ValidList) ---------------------------------------------

export function atLeast(min: number): (v: number) => string | null {
  return (v) => (v < min ? `Value must be at least ${min}` : null)
}

export function between(min: number, max: number): (v: number) => string | null {
  return (v) => (v < min || v > max ? `Value must be no less than ${min} and no more than ${max}` : null)
}

export function oneOf(...allowed: string[]): (v: string) => string | null {
  return (v) => (allowed.includes(v) ? null : `String must be one of: ${allowed.join(', ')}`)
}

export function listOf(...allowed: string[]): (v: readonly string[]) => string | null {
  return (v) => {
    const bad = v.filter((e) => !allowed.includes(e))
    return bad.length === 0 ? null : `Invalid value ${bad.join(',')}; the allowed values are [${allowed.join(', ')}]`
  }
}

export function nonEmptyList(v: readonly string[]): string | null {
  return v.length === 0 ? 'Empty list' : null
}
