// The public face of the codec: `codecFor(Api, 'request', version)` compiles (once, then cached) the encoder
// and decoder for one (api, direction, version). Data schemas (internal-topic records) get the same through
// `dataCodecFor`.

import { decodeWhole, encodeChunks, encodeToBuffer, structCodec, type ValueCodec } from './codec.ts'
import { UnsupportedVersionError } from './primitives/codec-errors.ts'
import type { Reader } from './primitives/reader.ts'
import type { ApiSchema, RecordSchema, StructSpec } from './schema.ts'
import { inVersions, type VersionRange } from './versions.ts'

export interface MessageCodec<T> {
  readonly version: number
  readonly flexible: boolean
  readonly body: ValueCodec
  /** Encodes to chunks; `records` fields are separate chunks that share memory with the input. */
  encode(value: T): Buffer[]
  /** Encodes into one Buffer. */
  encodeToBuffer(value: T): Buffer
  /** Decodes a whole buffer (trailing bytes are an error). Byte fields are views into `buf`. */
  decode(buf: Buffer): T
  /** Decodes from a reader positioned at the start of the body, leaving it after the body. */
  read(r: Reader): T
}

const apiCodecs = new WeakMap<object, Map<number, MessageCodec<unknown>>>()

function makeCodec<T>(struct: StructSpec, version: number, flexible: boolean, what: string): MessageCodec<T> {
  const body = structCodec(struct, version, flexible)
  return {
    version,
    flexible,
    body,
    encode: (value) => encodeChunks(body, value),
    encodeToBuffer: (value) => encodeToBuffer(body, value),
    decode: (buf) => decodeWhole(body, buf, what) as T,
    read: (r) => body.read(r) as T,
  }
}

function cached<T>(owner: object, version: number, build: () => MessageCodec<T>): MessageCodec<T> {
  let byVersion = apiCodecs.get(owner)
  if (!byVersion) apiCodecs.set(owner, (byVersion = new Map<number, MessageCodec<unknown>>()))
  let codec = byVersion.get(version)
  if (!codec) byVersion.set(version, (codec = build() as MessageCodec<unknown>))
  return codec as MessageCodec<T>
}

function checkVersion(range: VersionRange, version: number, name: string): void {
  if (!Number.isInteger(version) || !inVersions(range, version)) {
    throw new UnsupportedVersionError(`${name} has no version ${version} (valid: ${range.text})`)
  }
}

export function isFlexible(schema: { flexibleVersions: VersionRange }, version: number): boolean {
  return inVersions(schema.flexibleVersions, version)
}

export function codecFor<Rq, Rs>(api: ApiSchema<Rq, Rs>, direction: 'request', version: number): MessageCodec<Rq>
export function codecFor<Rq, Rs>(api: ApiSchema<Rq, Rs>, direction: 'response', version: number): MessageCodec<Rs>
export function codecFor<Rq, Rs>(
  api: ApiSchema<Rq, Rs>,
  direction: 'request' | 'response',
  version: number,
): MessageCodec<Rq | Rs>
export function codecFor(api: ApiSchema, direction: 'request' | 'response', version: number): MessageCodec<unknown> {
  checkVersion(api.validVersions, version, api.name)
  const message = api[direction]
  return cached(message, version, () =>
    makeCodec(
      message.struct,
      version,
      isFlexible(api, version),
      `${api.name}${direction === 'request' ? 'Request' : 'Response'} v${version}`,
    ),
  )
}

export function dataCodecFor<T>(schema: RecordSchema<T>, version: number): MessageCodec<T> {
  checkVersion(schema.validVersions, version, schema.name)
  return cached(schema, version, () =>
    makeCodec<T>(schema.struct, version, isFlexible(schema, version), `${schema.name} v${version}`),
  )
}
