// Compares one of our schemas with Kafka's JSON spec, version by version: at each version, the list of fields
// present (name, order, type, nullability, tag) must be identical, recursively, and declared defaults must
// agree. Comparing per version makes the check independent of how a range is written ("0+" vs "0-9").

import type { FieldSpec, StructSpec } from '../schema.ts'
import { inVersions, parseVersions } from '../versions.ts'
import type { SpecField, SpecMessage } from './reference.ts'

/** A field as it exists on the wire at one version. */
export interface WireField {
  name: string
  type: string
  nullable: boolean
  tag: number | null
  /** Compared only against Kafka 4.x specs: the pre-KIP-896 copies predate some `ignorable` markings. */
  ignorable?: boolean
  default?: string
  fields?: WireField[]
}

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'uuid',
  'records',
])

export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}

function normalizeSpecDefault(type: string, value: string | number | boolean | undefined): string | undefined {
  if (value === undefined) return undefined
  const text = String(value)
  if (text === 'null') return 'null'
  if (type === 'bool') return text
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) return BigInt(text).toString()
  return JSON.stringify(text)
}

function normalizeOurDefault(spec: FieldSpec): string | undefined {
  if (!spec.hasExplicitDefault) return undefined
  const v = spec.makeDefault()
  if (v === null) return 'null'
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (typeof v === 'string') return JSON.stringify(v)
  return undefined // arrays and structs: Kafka only allows "null" or nothing
}

/** Zero values that an explicit default may restate without changing behaviour. */
function isZeroDefault(type: string, normalized: string | undefined): boolean {
  return (
    normalized === undefined ||
    normalized === '0' ||
    normalized === 'false' ||
    normalized === '""' ||
    (type === 'records' && normalized === 'null')
  )
}

export function specWireFields(
  fields: SpecField[],
  version: number,
  flexible: boolean,
  structs: Map<string, SpecField[]>,
  withIgnorable = false,
): WireField[] {
  const out: WireField[] = []
  for (const field of fields) {
    // Kafka's generator treats a tagged field without "versions" as present in its tagged versions
    if (!inVersions(parseVersions(field.versions ?? field.taggedVersions ?? 'none'), version)) continue
    const tagged =
      field.tag !== undefined && flexible && inVersions(parseVersions(field.taggedVersions ?? 'none'), version)
    if (field.tag !== undefined && !tagged) continue
    const nullable = inVersions(parseVersions(field.nullableVersions ?? 'none'), version)
    const isArray = field.type.startsWith('[]')
    const base = isArray ? field.type.slice(2) : field.type
    const w: WireField = { name: camelCase(field.name), type: '', nullable, tag: tagged ? Number(field.tag) : null }
    if (withIgnorable) w.ignorable = field.ignorable === true
    if (PRIMITIVES.has(base)) {
      w.type = isArray ? `array<${base}>` : base
    } else {
      w.type = isArray ? 'array<struct>' : 'struct'
      const body = field.fields ?? structs.get(base)
      if (!body) throw new Error(`spec struct ${base} not found`)
      w.fields = specWireFields(body, version, flexible, structs, withIgnorable)
    }
    const d = normalizeSpecDefault(base, field.default)
    if (!isZeroDefault(base, d)) w.default = d
    out.push(w)
  }
  return out
}

export function ourWireFields(
  struct: StructSpec,
  version: number,
  flexible: boolean,
  withIgnorable = false,
): WireField[] {
  const out: WireField[] = []
  for (const name of struct.names) {
    const spec = struct.fields[name] as FieldSpec
    if (!inVersions(spec.versions, version)) continue
    const tagged = spec.tag !== null && flexible && inVersions(spec.taggedVersions, version)
    if (spec.tag !== null && !tagged) continue
    const w: WireField = {
      name,
      type: '',
      nullable: inVersions(spec.nullableVersions, version),
      tag: tagged ? spec.tag : null,
    }
    if (withIgnorable) w.ignorable = spec.ignorable
    if (spec.kind === 'array') {
      const el = spec.element
      if (typeof el === 'string') w.type = `array<${el}>`
      else {
        w.type = 'array<struct>'
        w.fields = ourWireFields(el as StructSpec, version, flexible, withIgnorable)
      }
    } else if (spec.kind === 'struct') {
      w.type = 'struct'
      w.fields = ourWireFields(spec.struct as StructSpec, version, flexible, withIgnorable)
    } else w.type = spec.kind
    const d = normalizeOurDefault(spec)
    if (!isZeroDefault(spec.kind, d)) w.default = d
    out.push(w)
  }
  return out
}

export function specStructs(spec: SpecMessage): Map<string, SpecField[]> {
  const map = new Map<string, SpecField[]>()
  const visit = (fields: SpecField[]): void => {
    for (const f of fields) {
      if (f.fields) {
        const base = f.type.startsWith('[]') ? f.type.slice(2) : f.type
        map.set(base, f.fields)
        visit(f.fields)
      }
    }
  }
  for (const s of spec.commonStructs ?? []) {
    map.set(s.name, s.fields)
    visit(s.fields)
  }
  visit(spec.fields)
  return map
}

/** Field-level flexibleVersions overrides (only the request header's clientId) must agree too. */
export function flexOverrides(fields: SpecField[], prefix = ''): string[] {
  const out: string[] = []
  for (const f of fields) {
    if (f.flexibleVersions) out.push(`${prefix}${camelCase(f.name)}:${f.flexibleVersions}`)
    if (f.fields) out.push(...flexOverrides(f.fields, `${prefix}${camelCase(f.name)}.`))
  }
  return out
}
