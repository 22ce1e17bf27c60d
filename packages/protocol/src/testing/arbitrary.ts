// fast-check arbitraries derived from a schema at one version: every field present in that version gets a random
// value of its type (null where nullable), absent fields keep their defaults (what decoding an old version
// yields), tagged fields are sometimes default (so not written) and sometimes not, and flexible structs may carry
// random unknown tagged fields that must survive a round trip.

import fc from 'fast-check'
import type { FieldSpec, PrimitiveKind, RawTaggedField, StructSpec } from '../schema.ts'
import { inVersions } from '../versions.ts'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ maxLength: 6, unit: 'grapheme' }))
const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a))

function primitiveArbitrary(kind: PrimitiveKind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'bool':
      return fc.boolean()
    case 'int8':
      return fc.integer({ min: -128, max: 127 })
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 })
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 })
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 })
    case 'uint32':
      return fc.integer({ min: 0, max: 4294967295 })
    case 'int64':
      return fc.bigInt({ min: INT64_MIN, max: INT64_MAX })
    case 'float64':
      return fc.double()
    case 'string':
      return text
    case 'bytes':
      return bytes
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url'))
    case 'records':
      return fc.option(bytes, { nil: null })
  }
}

function fieldArbitrary(spec: FieldSpec, version: number, flexible: boolean, depth: number): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>
  if (spec.kind === 'array') {
    const el = spec.element
    const element =
      typeof el === 'string' ? primitiveArbitrary(el) : structArbitrary(el as StructSpec, version, flexible, depth + 1)
    arb = fc.array(element, { maxLength: depth > 2 ? 1 : 3 })
  } else if (spec.kind === 'struct') {
    arb = structArbitrary(spec.struct as StructSpec, version, flexible, depth + 1)
  } else {
    arb = primitiveArbitrary(spec.kind)
  }
  if (spec.kind !== 'records' && inVersions(spec.nullableVersions, version)) arb = fc.option(arb, { nil: null })
  return arb
}

const unknownTags = (known: Set<number>): fc.Arbitrary<RawTaggedField[] | undefined> =>
  fc.option(
    fc
      .uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 3 })
      .map((tags) => tags.filter((t) => !known.has(t)).sort((a, b) => a - b))
      .chain((tags) =>
        fc.tuple(...tags.map((tag) => bytes.map((data): RawTaggedField => ({ tag, data })))).map((fields) => fields),
      )
      .map((fields) => (fields.length > 0 ? fields : undefined)),
    { nil: undefined },
  )

export function structArbitrary(
  struct: StructSpec,
  version: number,
  flexible: boolean,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const names = struct.names
  const parts: fc.Arbitrary<unknown>[] = []
  const knownTags = new Set<number>()
  for (const name of names) {
    const spec = struct.fields[name] as FieldSpec
    if (spec.tag !== null) knownTags.add(spec.tag)
    const present = inVersions(spec.versions, version)
    const tagged = spec.tag !== null && flexible && inVersions(spec.taggedVersions, version)
    if (!present || (spec.tag !== null && !tagged)) {
      parts.push(fc.constant(null).map(() => spec.makeDefault()))
    } else if (tagged) {
      parts.push(
        fc.oneof(
          fc.constant(null).map(() => spec.makeDefault()),
          fieldArbitrary(spec, version, flexible, depth),
        ),
      )
    } else {
      parts.push(fieldArbitrary(spec, version, flexible, depth))
    }
  }
  const extra = flexible ? unknownTags(knownTags) : fc.constant(undefined)
  return fc.tuple(fc.tuple(...parts), extra).map(([values, unknown]) => {
    const out: Record<string, unknown> = {}
    names.forEach((name, i) => {
      out[name] = values[i]
    })
    if (unknown) out.unknownTaggedFields = unknown
    return out
  })
}
