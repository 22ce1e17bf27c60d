// Compiles a schema into encode/decode closures for one (message, version), once, by walking the schema.
// Encoding is two passes: `size` computes the exact byte count (remembering string lengths and tagged-field
// sizes in a SizeCache, read back in the same order by `write`), then `write` fills one Buffer.allocUnsafe.
// `records` fields become separate output chunks (zero-copy). Decoding checks every length against the bytes
// that remain before allocating and reports failures as ProtocolDecodeError with the field path.

import {
  decodeErrorAt,
  ProtocolDecodeError,
  ProtocolEncodeError,
  UnsupportedVersionError,
} from './primitives/codec-errors.ts'
import { Reader } from './primitives/reader.ts'
import { uvarintSize } from './primitives/varint.ts'
import { Writer } from './primitives/writer.ts'
import type { FieldSpec, PrimitiveKind, RawTaggedField, StructSpec } from './schema.ts'
import { inVersions } from './versions.ts'

/** Lengths computed by the size pass, consumed in the same order by the write pass. */
export class SizeCache {
  readonly values: number[] = []
  pos = 0
  /** Bytes emitted as separate chunks (records), which the owned buffer does not hold. */
  external = 0
  push(n: number): number {
    this.values.push(n)
    return n
  }
  reserve(): number {
    this.values.push(0)
    return this.values.length - 1
  }
  next(): number {
    return this.values[this.pos++] as number
  }
}

export interface ValueCodec {
  size(value: unknown, cache: SizeCache): number
  write(w: Writer, value: unknown, cache: SizeCache): void
  read(r: Reader): unknown
  /** Smallest possible encoding, used to reject array counts larger than the remaining bytes. */
  readonly minSize: number
}

interface CompiledField {
  readonly name: string
  readonly spec: FieldSpec
  readonly codec: ValueCodec
}

interface CompiledTag extends CompiledField {
  readonly tag: number
}

/** Kafka's "is this the default value" test, used for tagged fields and for fields absent from a version. */
export function isDefaultValue(spec: FieldSpec, value: unknown): boolean {
  const dflt = spec.makeDefault()
  return sameValue(spec, value, dflt)
}

function sameValue(spec: FieldSpec, a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || a === undefined || b === undefined) return false
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b)
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false
    const el = spec.element
    for (let i = 0; i < a.length; i++) {
      if (typeof el === 'object' && el !== null) {
        if (!sameStruct(el, a[i], b[i])) return false
      } else if (a[i] !== b[i]) return false
    }
    return true
  }
  if (spec.kind === 'struct' && spec.struct) return sameStruct(spec.struct, a, b)
  return false
}

function sameStruct(struct: StructSpec, a: unknown, b: unknown): boolean {
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  if ((x.unknownTaggedFields as unknown[] | undefined)?.length) return false
  for (const name of struct.names) {
    if (!sameValue(struct.fields[name] as FieldSpec, x[name], y[name])) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------------------------
// primitives

const fixed = (size: number, write: (w: Writer, v: never) => void, read: (r: Reader) => unknown): ValueCodec => ({
  size: () => size,
  write: write,
  read,
  minSize: size,
})

const primitiveCodecs = {
  bool: fixed(
    1,
    (w, v: boolean) => w.bool(v),
    (r) => r.bool(),
  ),
  int8: fixed(
    1,
    (w, v: number) => w.int8(v),
    (r) => r.int8(),
  ),
  int16: fixed(
    2,
    (w, v: number) => w.int16(v),
    (r) => r.int16(),
  ),
  uint16: fixed(
    2,
    (w, v: number) => w.uint16(v),
    (r) => r.uint16(),
  ),
  int32: fixed(
    4,
    (w, v: number) => w.int32(v),
    (r) => r.int32(),
  ),
  uint32: fixed(
    4,
    (w, v: number) => w.uint32(v),
    (r) => r.uint32(),
  ),
  int64: fixed(
    8,
    (w, v: bigint) => w.int64(v),
    (r) => r.int64(),
  ),
  float64: fixed(
    8,
    (w, v: number) => w.float64(v),
    (r) => r.float64(),
  ),
  uuid: fixed(
    16,
    (w, v: string) => w.uuid(v),
    (r) => r.uuid(),
  ),
}

/** Length prefix: int16/int32 with −1 for null (classic) or uvarint length+1 with 0 for null (compact). */
interface LengthForm {
  readonly compact: boolean
  readonly wide: boolean // int32 (bytes, records, arrays) rather than int16 (strings)
}

function prefixSize(form: LengthForm, length: number): number {
  if (form.compact) return uvarintSize(length + 1)
  return form.wide ? 4 : 2
}

function writePrefix(w: Writer, form: LengthForm, length: number): void {
  if (form.compact) w.uvarint(length + 1)
  else if (form.wide) w.int32(length)
  else w.int16(length)
}

/** Reads a length prefix; returns −1 for null. */
function readPrefix(r: Reader, form: LengthForm): number {
  if (form.compact) return r.uvarint() - 1
  const n = form.wide ? r.int32() : r.int16()
  if (n < -1) throw new ProtocolDecodeError(`invalid length ${n}`)
  return n
}

function nullCheck(value: unknown, nullable: boolean, what: string): boolean {
  if (value !== null && value !== undefined) return false
  if (!nullable) throw new ProtocolEncodeError(`${what} is not nullable in this version`)
  return true
}

function stringCodec(compact: boolean, nullable: boolean): ValueCodec {
  const form: LengthForm = { compact, wide: false }
  return {
    minSize: compact ? 1 : 2,
    size(value, cache) {
      if (nullCheck(value, nullable, 'string')) return prefixSize(form, -1)
      const len = cache.push(Buffer.byteLength(value as string, 'utf8'))
      if (!compact && len > 0x7fff) throw new ProtocolEncodeError(`string of ${len} bytes exceeds int16 length`)
      return prefixSize(form, len) + len
    },
    write(w, value, cache) {
      if (value === null || value === undefined) return writePrefix(w, form, -1)
      const len = cache.next()
      writePrefix(w, form, len)
      w.utf8(value as string, len)
    },
    read(r) {
      const n = readPrefix(r, form)
      if (n < 0) {
        if (!nullable) throw new ProtocolDecodeError('null in a non-nullable string')
        return null
      }
      return r.utf8(n)
    },
  }
}

function bytesCodec(compact: boolean, nullable: boolean, asChunk: boolean): ValueCodec {
  const form: LengthForm = { compact, wide: true }
  return {
    minSize: compact ? 1 : 4,
    size(value, cache) {
      if (nullCheck(value, nullable, 'bytes')) return prefixSize(form, -1)
      const len = (value as Buffer).length
      // records are emitted as their own chunk, so only the prefix counts toward the owned buffer
      if (asChunk) cache.external += len
      return prefixSize(form, len) + (asChunk ? 0 : len)
    },
    write(w, value) {
      if (value === null || value === undefined) return writePrefix(w, form, -1)
      const buf = value as Buffer
      writePrefix(w, form, buf.length)
      if (asChunk) w.chunk(buf)
      else w.bytes(buf)
    },
    read(r) {
      const n = readPrefix(r, form)
      if (n < 0) {
        if (!nullable) throw new ProtocolDecodeError('null in non-nullable bytes')
        return null
      }
      return r.bytes(n)
    },
  }
}

function arrayCodec(element: ValueCodec, compact: boolean, nullable: boolean): ValueCodec {
  const form: LengthForm = { compact, wide: true }
  return {
    minSize: compact ? 1 : 4,
    size(value, cache) {
      if (nullCheck(value, nullable, 'array')) return prefixSize(form, -1)
      const items = value as unknown[]
      let total = prefixSize(form, items.length)
      for (let i = 0; i < items.length; i++) total += element.size(items[i], cache)
      return total
    },
    write(w, value, cache) {
      if (value === null || value === undefined) return writePrefix(w, form, -1)
      const items = value as unknown[]
      writePrefix(w, form, items.length)
      for (let i = 0; i < items.length; i++) element.write(w, items[i], cache)
    },
    read(r) {
      const n = readPrefix(r, form)
      if (n < 0) {
        if (!nullable) throw new ProtocolDecodeError('null in a non-nullable array')
        return null
      }
      if (n * element.minSize > r.remaining) {
        throw new ProtocolDecodeError(`array of ${n} elements cannot fit in the ${r.remaining} bytes that remain`)
      }
      const out = new Array<unknown>(n)
      let i = 0
      try {
        for (; i < n; i++) out[i] = element.read(r)
      } catch (e) {
        throw decodeErrorAt(e, `[${i}]`)
      }
      return out
    },
  }
}

function primitiveCodec(kind: PrimitiveKind, compact: boolean, nullable: boolean): ValueCodec {
  switch (kind) {
    case 'string':
      return stringCodec(compact, nullable)
    case 'bytes':
      return bytesCodec(compact, nullable, false)
    case 'records':
      return bytesCodec(compact, true, true)
    default:
      return primitiveCodecs[kind]
  }
}

// ---------------------------------------------------------------------------------------------------------------
// structs

function fieldCodec(spec: FieldSpec, version: number, flexible: boolean): ValueCodec {
  const compact = flexible && (spec.flexibleVersions === null || inVersions(spec.flexibleVersions, version))
  const nullable = inVersions(spec.nullableVersions, version)
  switch (spec.kind) {
    case 'array': {
      const el = spec.element
      const elementCodec =
        typeof el === 'string' ? primitiveCodec(el, compact, false) : structCodec(el as StructSpec, version, flexible)
      return arrayCodec(elementCodec, compact, nullable)
    }
    case 'struct': {
      const body = structCodec(spec.struct as StructSpec, version, flexible)
      if (!nullable) return body
      // Nullable structs carry an int8 presence marker (−1 null, 1 present), as Kafka's generator does.
      return {
        minSize: 1,
        size: (v, c) => (v === null || v === undefined ? 1 : 1 + body.size(v, c)),
        write(w, v, c) {
          if (v === null || v === undefined) return w.int8(-1)
          w.int8(1)
          body.write(w, v, c)
        },
        read(r) {
          const marker = r.int8()
          return marker < 0 ? null : body.read(r)
        },
      }
    }
    default:
      return primitiveCodec(spec.kind, compact, nullable)
  }
}

const structCache = new WeakMap<StructSpec, Map<number, ValueCodec>>()

/** Codec for a struct at `version`; flexible versions append a tag section. Cached per (struct, version, flex). */
export function structCodec(struct: StructSpec, version: number, flexible: boolean): ValueCodec {
  let perStruct = structCache.get(struct)
  if (!perStruct) structCache.set(struct, (perStruct = new Map<number, ValueCodec>()))
  const key = flexible ? -1 - version : version
  const hit = perStruct.get(key)
  if (hit) return hit
  const codec = buildStructCodec(struct, version, flexible)
  perStruct.set(key, codec)
  return codec
}

function buildStructCodec(struct: StructSpec, version: number, flexible: boolean): ValueCodec {
  const plain: CompiledField[] = []
  const tagged: CompiledTag[] = []
  const absent: FieldSpec[] = []
  const absentNames: string[] = []
  for (const name of struct.names) {
    const spec = struct.fields[name] as FieldSpec
    const present = inVersions(spec.versions, version)
    // tagged fields exist only in flexible versions; a tagged field outside its tagged versions is absent
    const isTagged = spec.tag !== null && flexible && inVersions(spec.taggedVersions, version)
    if (!present || (spec.tag !== null && !isTagged)) {
      absent.push(spec)
      absentNames.push(name)
    } else if (isTagged) {
      tagged.push({ name, spec, codec: fieldCodec(spec, version, flexible), tag: spec.tag })
    } else {
      plain.push({ name, spec, codec: fieldCodec(spec, version, flexible) })
    }
  }
  tagged.sort((a, b) => a.tag - b.tag)
  const tagByNumber = new Map(tagged.map((t) => [t.tag, t]))
  const names = struct.names
  const fields = struct.fields
  let minSize = flexible ? 1 : 0
  for (const p of plain) minSize += p.codec.minSize

  function checkAbsent(obj: Record<string, unknown>): void {
    for (let i = 0; i < absent.length; i++) {
      const spec = absent[i] as FieldSpec
      const value = obj[absentNames[i] as string]
      if (value !== undefined && !spec.ignorable && !isDefaultValue(spec, value)) {
        throw new UnsupportedVersionError(
          `field ${absentNames[i]} is not supported in version ${version} and has a non-default value`,
        )
      }
    }
  }

  return {
    minSize,
    size(value, cache) {
      const obj = value as Record<string, unknown>
      if (absent.length > 0) checkAbsent(obj)
      let total = 0
      for (let i = 0; i < plain.length; i++) {
        const f = plain[i] as CompiledField
        total += f.codec.size(obj[f.name], cache)
      }
      if (!flexible) return total
      // tag section: count, then (tag, size, bytes) per present field in ascending tag order
      const unknown = obj.unknownTaggedFields as RawTaggedField[] | undefined
      let count = 0
      const countSlot = cache.reserve()
      for (let i = 0; i < tagged.length; i++) {
        const t = tagged[i] as CompiledTag
        const v = obj[t.name]
        if (v === undefined || isDefaultValue(t.spec, v)) continue
        const slot = cache.reserve()
        const inner = t.codec.size(v, cache)
        cache.values[slot] = inner
        total += uvarintSize(t.tag) + uvarintSize(inner) + inner
        count++
      }
      if (unknown) {
        for (const u of unknown) {
          if (tagByNumber.has(u.tag)) throw new ProtocolEncodeError(`unknown tagged field ${u.tag} is a known tag`)
          total += uvarintSize(u.tag) + uvarintSize(u.data.length) + u.data.length
          count++
        }
      }
      cache.values[countSlot] = count
      return total + uvarintSize(count)
    },
    write(w, value, cache) {
      const obj = value as Record<string, unknown>
      for (let i = 0; i < plain.length; i++) {
        const f = plain[i] as CompiledField
        f.codec.write(w, obj[f.name], cache)
      }
      if (!flexible) return
      const count = cache.next()
      w.uvarint(count)
      if (count === 0) return
      const unknown = (obj.unknownTaggedFields as RawTaggedField[] | undefined) ?? []
      const sortedUnknown = unknown.length > 1 ? [...unknown].sort((a, b) => a.tag - b.tag) : unknown
      let u = 0
      for (let i = 0; i <= tagged.length; i++) {
        const t = tagged[i]
        // interleave unknown tags that sort before this known tag
        while (u < sortedUnknown.length && (t === undefined || (sortedUnknown[u] as RawTaggedField).tag < t.tag)) {
          const raw = sortedUnknown[u++] as RawTaggedField
          w.uvarint(raw.tag)
          w.uvarint(raw.data.length)
          w.bytes(raw.data)
        }
        if (t === undefined) break
        const v = obj[t.name]
        if (v === undefined || isDefaultValue(t.spec, v)) continue
        w.uvarint(t.tag)
        w.uvarint(cache.next())
        t.codec.write(w, v, cache)
      }
    },
    read(r) {
      const obj: Record<string, unknown> = {}
      // every field gets a slot in schema order first, so decoded objects share one shape
      let i = 0
      let p = 0
      try {
        for (; i < names.length; i++) {
          const name = names[i] as string
          const next = plain[p]
          if (next !== undefined && next.name === name) {
            obj[name] = next.codec.read(r)
            p++
          } else {
            obj[name] = (fields[name] as FieldSpec).makeDefault()
          }
        }
      } catch (e) {
        throw decodeErrorAt(e, names[i] as string)
      }
      if (!flexible) return obj
      let count: number
      try {
        count = r.uvarint()
      } catch (e) {
        throw decodeErrorAt(e, '_tagged_fields')
      }
      if (count > r.remaining) {
        throw new ProtocolDecodeError(`${count} tagged fields cannot fit in ${r.remaining} bytes`).within(
          '_tagged_fields',
        )
      }
      let lastTag = -1
      for (let k = 0; k < count; k++) {
        let tag = -1
        try {
          tag = r.uvarint()
          if (tag <= lastTag) throw new ProtocolDecodeError(`tagged field ${tag} is out of order`)
          lastTag = tag
          const size = r.uvarint()
          const sub = r.sub(size)
          const known = tagByNumber.get(tag)
          if (known) {
            obj[known.name] = known.codec.read(sub)
            if (sub.remaining !== 0) throw new ProtocolDecodeError(`${sub.remaining} bytes left over in tagged field`)
          } else {
            const unknown = (obj.unknownTaggedFields as RawTaggedField[] | undefined) ?? []
            unknown.push({ tag, data: sub.buf.subarray(sub.offset, sub.end) })
            obj.unknownTaggedFields = unknown
          }
        } catch (e) {
          const known = tagByNumber.get(tag)
          throw decodeErrorAt(e, known ? known.name : `_tagged_fields[${tag}]`)
        }
      }
      return obj
    },
  }
}

/** One piece of an encoded frame: a codec and the value it encodes. */
export type Part = readonly [ValueCodec, unknown]

/**
 * Encodes parts back to back into output chunks (records fields become separate chunks).
 * With `sizePrefix`, an int32 holding the total length of everything after it comes first (Kafka framing).
 */
export function encodeParts(parts: readonly Part[], sizePrefix: boolean): Buffer[] {
  const cache = new SizeCache()
  let owned = sizePrefix ? 4 : 0
  for (const [codec, value] of parts) owned += codec.size(value, cache)
  const w = new Writer(owned)
  if (sizePrefix) w.int32(owned - 4 + cache.external)
  for (const [codec, value] of parts) codec.write(w, value, cache)
  return w.finish()
}

export function encodeChunks(codec: ValueCodec, value: unknown): Buffer[] {
  return encodeParts([[codec, value]], false)
}

/** Encodes into one contiguous Buffer (copies records; use encodeChunks on hot paths). */
export function encodeToBuffer(codec: ValueCodec, value: unknown): Buffer {
  const chunks = encodeChunks(codec, value)
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
}

/** Decodes a whole buffer; trailing bytes are an error, as in Kafka. */
export function decodeWhole(codec: ValueCodec, buf: Buffer, what: string): unknown {
  const r = new Reader(buf)
  let value: unknown
  try {
    value = codec.read(r)
  } catch (e) {
    if (e instanceof ProtocolDecodeError) e.message = `${what}: ${e.message}`
    throw e
  }
  if (r.remaining !== 0) {
    throw new ProtocolDecodeError(`${what}: ${r.remaining} unexpected bytes after the last field`).within('<end>')
  }
  return value
}
