// The schema DSL: one hand-written TypeScript description per Kafka API (request and response together),
// from which types, codecs, defaults and constructors are derived. The vocabulary follows Kafka's message
// JSON (versions, nullableVersions, taggedVersions, tag, ignorable, default) with camelCased field names.
// One TS type serves every version of a message; the version is a parameter of encode/decode.

import { parseVersions, type VersionRange } from './versions.ts'

export type PrimitiveKind =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records'

export type FieldKind = PrimitiveKind | 'array' | 'struct'

export interface PrimitiveTypes {
  bool: boolean
  int8: number
  int16: number
  uint16: number
  int32: number
  uint32: number
  int64: bigint
  float64: number
  string: string
  bytes: Buffer
  uuid: string
  records: Buffer | null
}

/** A tagged field this version of the schema does not know; kept so messages round-trip (KIP-482). */
export interface RawTaggedField {
  tag: number
  data: Buffer
}

export interface TaggedExtras {
  unknownTaggedFields?: RawTaggedField[]
}

export interface FieldOptions {
  /** Versions in which the field may be null (strings, bytes, arrays, structs, records). */
  nullableVersions?: string
  /** Dropped silently when encoding a version that lacks it, instead of failing. */
  ignorable?: boolean
  /** Tagged fields live in the tag section of flexible versions and are written only when not default. */
  tag?: number
  taggedVersions?: string
  /** Overrides the message's flexible versions for this field (only the request header's clientId uses "none"). */
  flexibleVersions?: string
  /** What kind of name this is (topicName, groupId, transactionalId…); documentation and authorization hints. */
  entity?: string
  /** Redacted by request loggers (SASL tokens, SCRAM salted passwords). */
  sensitive?: boolean
  /** Kafka marks fields that key a map-like array; informational. */
  mapKey?: boolean
}

export interface FieldSpec<T = unknown> {
  readonly kind: FieldKind
  readonly versions: VersionRange
  readonly nullableVersions: VersionRange | null
  readonly taggedVersions: VersionRange | null
  readonly tag: number | null
  readonly ignorable: boolean
  readonly flexibleVersions: VersionRange | null
  readonly entity: string | null
  readonly sensitive: boolean
  readonly mapKey: boolean
  /** Whether the schema declares a default explicitly (otherwise the kind's zero value, as in Kafka). */
  readonly hasExplicitDefault: boolean
  /** Builds a fresh default value (a new array or struct each call). */
  readonly makeDefault: () => T
  /** Element of an array: a primitive kind or a struct. */
  readonly element: PrimitiveKind | StructSpec | null
  /** Body of a struct field. */
  readonly struct: StructSpec | null
  /** Phantom: the TS type of this field's values. */
  readonly _type?: T
}

export type Fields = Readonly<Record<string, FieldSpec<unknown>>>

export type StructType<F extends Fields> = {
  -readonly [K in keyof F]: F[K] extends FieldSpec<infer T> ? T : never
} & TaggedExtras

/** Deep-partial input to constructors: every missing field gets its default, recursively. */
export type MakeInput<T> = T extends Buffer
  ? T
  : T extends (infer E)[]
    ? MakeInput<E>[]
    : T extends object
      ? { [K in keyof T]?: MakeInput<T[K]> }
      : T

export interface StructSpec<T = unknown> {
  readonly fields: Fields
  readonly names: readonly string[]
  /** Fills every missing field with its default, recursing into nested structs and struct arrays. */
  make(input?: MakeInput<T>): T
  readonly _type?: T
}

type NullIf<O, T> = O extends { nullableVersions: string } ? T | null : T

interface WithDefault<T> extends FieldOptions {
  default?: T
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'
const EMPTY = Buffer.alloc(0)

function primitiveDefault(kind: PrimitiveKind): unknown {
  switch (kind) {
    case 'bool':
      return false
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64':
      return 0
    case 'int64':
      return 0n
    case 'string':
      return ''
    case 'bytes':
      return EMPTY
    case 'uuid':
      return ZERO_UUID
    case 'records':
      return null
  }
}

function baseSpec<T>(
  kind: FieldKind,
  versions: string,
  opts: WithDefault<unknown> | undefined,
  makeDefault: () => T,
  element: PrimitiveKind | StructSpec | null = null,
  struct: StructSpec | null = null,
): FieldSpec<T> {
  const hasExplicitDefault = opts !== undefined && 'default' in opts
  const explicit = opts?.default
  return {
    kind,
    versions: parseVersions(versions),
    nullableVersions: opts?.nullableVersions ? parseVersions(opts.nullableVersions) : null,
    taggedVersions: opts?.taggedVersions ? parseVersions(opts.taggedVersions) : null,
    tag: opts?.tag ?? null,
    ignorable: opts?.ignorable ?? false,
    flexibleVersions: opts?.flexibleVersions ? parseVersions(opts.flexibleVersions) : null,
    entity: opts?.entity ?? null,
    sensitive: opts?.sensitive ?? false,
    mapKey: opts?.mapKey ?? false,
    hasExplicitDefault,
    makeDefault: hasExplicitDefault
      ? explicit === null
        ? () => null as T
        : (cloneDefault(explicit) as () => T)
      : makeDefault,
    element,
    struct,
  }
}

/** Defaults that are arrays must not be shared between messages, so copy on every use. */
function cloneDefault(value: unknown): () => unknown {
  if (Array.isArray(value)) return () => [...(value as unknown[])]
  return () => value
}

function primitive<K extends PrimitiveKind>(kind: K) {
  return <O extends WithDefault<PrimitiveTypes[K] | null>>(
    versions: string,
    opts?: O,
  ): FieldSpec<NullIf<O, PrimitiveTypes[K]>> => {
    const zero = primitiveDefault(kind)
    return baseSpec(kind, versions, opts, () => zero as NullIf<O, PrimitiveTypes[K]>)
  }
}

export function struct<F extends Fields>(fields: F): StructSpec<StructType<F>> {
  const names = Object.keys(fields)
  const spec: StructSpec<StructType<F>> = {
    fields,
    names,
    make(input?: MakeInput<StructType<F>>): StructType<F> {
      const src = (input ?? {}) as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const name of names) {
        const field = fields[name] as FieldSpec
        const given = src[name]
        out[name] = given === undefined ? field.makeDefault() : fillNested(field, given)
      }
      if (src.unknownTaggedFields !== undefined) out.unknownTaggedFields = src.unknownTaggedFields
      return out as StructType<F>
    },
  }
  return spec
}

function fillNested(field: FieldSpec, given: unknown): unknown {
  if (given === null) return null
  if (field.kind === 'struct' && field.struct) return field.struct.make(given)
  if (field.kind === 'array' && typeof field.element === 'object' && field.element !== null && Array.isArray(given)) {
    const element = field.element
    return given.map((e: unknown) => element.make(e as never))
  }
  return given
}

function array<P extends PrimitiveKind, O extends WithDefault<null | []>>(
  versions: string,
  element: P,
  opts?: O,
): FieldSpec<NullIf<O, PrimitiveTypes[P][]>>
function array<F extends Fields, O extends WithDefault<null | []>>(
  versions: string,
  element: F,
  opts?: O,
): FieldSpec<NullIf<O, StructType<F>[]>>
function array(versions: string, element: PrimitiveKind | Fields, opts?: WithDefault<null | []>): FieldSpec {
  const el = typeof element === 'string' ? element : struct(element)
  return baseSpec('array', versions, opts, () => [], el)
}

function structField<F extends Fields, O extends WithDefault<null>>(
  versions: string,
  fields: F,
  opts?: O,
): FieldSpec<NullIf<O, StructType<F>>> {
  const body = struct(fields)
  return baseSpec('struct', versions, opts, () => body.make() as NullIf<O, StructType<F>>, null, body)
}

/** Field builders. Each takes the versions the field is present in, then options. */
export const f = {
  bool: primitive('bool'),
  int8: primitive('int8'),
  int16: primitive('int16'),
  uint16: primitive('uint16'),
  int32: primitive('int32'),
  uint32: primitive('uint32'),
  int64: primitive('int64'),
  float64: primitive('float64'),
  string: primitive('string'),
  bytes: primitive('bytes'),
  uuid: primitive('uuid'),
  records: primitive('records'),
  array,
  struct: structField,
}

export interface MessageSchema<T = unknown> {
  readonly struct: StructSpec<T>
  readonly direction: 'request' | 'response'
  /** Builds a message with every unspecified field at its default. */
  make(input?: MakeInput<T>): T
  readonly _type?: T
}

export interface ApiSchema<Req = unknown, Res = unknown> {
  readonly key: number
  readonly name: string
  readonly validVersions: VersionRange
  readonly flexibleVersions: VersionRange
  readonly request: MessageSchema<Req>
  readonly response: MessageSchema<Res>
}

function message<F extends Fields>(fields: F, direction: 'request' | 'response'): MessageSchema<StructType<F>> {
  const body = struct(fields)
  return { struct: body, direction, make: (input) => body.make(input) }
}

export function api<Rq extends Fields, Rs extends Fields>(def: {
  key: number
  name: string
  validVersions: string
  flexibleVersions: string
  request: Rq
  response: Rs
}): ApiSchema<StructType<Rq>, StructType<Rs>> {
  return {
    key: def.key,
    name: def.name,
    validVersions: parseVersions(def.validVersions),
    flexibleVersions: parseVersions(def.flexibleVersions),
    request: message(def.request, 'request'),
    response: message(def.response, 'response'),
  }
}

export type RequestOf<A> = A extends ApiSchema<infer Rq, unknown> ? Rq : never
export type ResponseOf<A> = A extends ApiSchema<unknown, infer Rs> ? Rs : never

/** A versioned data schema outside the request/response pairs: internal-topic keys and values, control records. */
export interface RecordSchema<T = unknown> {
  readonly name: string
  readonly validVersions: VersionRange
  readonly flexibleVersions: VersionRange
  readonly struct: StructSpec<T>
  make(input?: MakeInput<T>): T
}

export function dataSchema<F extends Fields>(def: {
  name: string
  validVersions: string
  flexibleVersions: string
  fields: F
}): RecordSchema<StructType<F>> {
  const body = struct(def.fields)
  return {
    name: def.name,
    validVersions: parseVersions(def.validVersions),
    flexibleVersions: parseVersions(def.flexibleVersions),
    struct: body,
    make: (input) => body.make(input),
  }
}

export type DataOf<S> = S extends RecordSchema<infer T> ? T : never
