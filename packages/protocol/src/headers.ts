// Request and response headers, and Kafka's size-prefixed framing. Header versions are derived, never chosen:
// request header v2 when the request version is flexible, else v1; response header v1 when flexible, else v0 —
// except ApiVersions, whose response header is always v0 so that a client can parse it before it knows which
// versions the broker speaks (KIP-511). The header's clientId stays a classic int16 string even in v2 so any
// broker can read any request's header.

import { encodeParts, structCodec } from './codec.ts'
import { ProtocolDecodeError, decodeErrorAt } from './primitives/codec-errors.ts'
import { Reader } from './primitives/reader.ts'
import { dataSchema, f, type ApiSchema, type DataOf, type RawTaggedField } from './schema.ts'
import { codecFor, isFlexible } from './message-codec.ts'

export const API_VERSIONS_KEY = 18

export const RequestHeader = dataSchema({
  name: 'RequestHeader',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: {
    requestApiKey: f.int16('0+'),
    requestApiVersion: f.int16('0+'),
    correlationId: f.int32('0+'),
    clientId: f.string('1+', { nullableVersions: '1+', ignorable: true, flexibleVersions: 'none' }),
  },
})
export type RequestHeaderData = DataOf<typeof RequestHeader>

export const ResponseHeader = dataSchema({
  name: 'ResponseHeader',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: {
    correlationId: f.int32('0+'),
  },
})
export type ResponseHeaderData = DataOf<typeof ResponseHeader>

export function requestHeaderVersion(api: ApiSchema, apiVersion: number): number {
  return isFlexible(api, apiVersion) ? 2 : 1
}

export function responseHeaderVersion(api: ApiSchema, apiVersion: number): number {
  if (api.key === API_VERSIONS_KEY) return 0
  return isFlexible(api, apiVersion) ? 1 : 0
}

const requestHeaderCodec = (v: number) => structCodec(RequestHeader.struct, v, v >= 2)
const responseHeaderCodec = (v: number) => structCodec(ResponseHeader.struct, v, v >= 1)

export interface RequestEnvelope {
  correlationId: number
  clientId: string | null
  unknownTaggedFields?: RawTaggedField[]
}

/** A complete request frame (int32 size, header, body) as chunks ready for socket.write/writev. */
export function encodeRequestFrame<Rq>(
  api: ApiSchema<Rq, unknown>,
  version: number,
  envelope: RequestEnvelope,
  body: Rq,
): Buffer[] {
  const bodyCodec = codecFor(api, 'request', version).body
  const header = {
    requestApiKey: api.key,
    requestApiVersion: version,
    correlationId: envelope.correlationId,
    clientId: envelope.clientId,
    ...(envelope.unknownTaggedFields ? { unknownTaggedFields: envelope.unknownTaggedFields } : {}),
  }
  return encodeParts(
    [
      [requestHeaderCodec(requestHeaderVersion(api, version)), header],
      [bodyCodec, body],
    ],
    true,
  )
}

/** A complete response frame (int32 size, header, body) as chunks; record sets are not copied. */
export function encodeResponseFrame<Rs>(
  api: ApiSchema<unknown, Rs>,
  version: number,
  correlationId: number,
  body: Rs,
): Buffer[] {
  const bodyCodec = codecFor(api, 'response', version).body
  return encodeParts(
    [
      [responseHeaderCodec(responseHeaderVersion(api, version)), { correlationId }],
      [bodyCodec, body],
    ],
    true,
  )
}

export interface DecodedRequestHeader extends RequestEnvelope {
  requestApiKey: number
  requestApiVersion: number
  /** Offset of the body within the frame. */
  bodyOffset: number
}

/**
 * Reads the header of a request frame (without its size prefix). The header version depends on whether the
 * request version is flexible, which only the API's schema knows: `lookup` maps an api key to its schema.
 * For an unknown key or version, the header is read as v1 (what every client sends for ApiVersions).
 */
export function decodeRequestHeader(
  frame: Buffer,
  lookup: (apiKey: number) => ApiSchema | undefined,
): DecodedRequestHeader {
  const r = new Reader(frame)
  try {
    const requestApiKey = r.int16()
    const requestApiVersion = r.int16()
    const correlationId = r.int32()
    const clientIdLength = r.int16()
    if (clientIdLength < -1) throw new ProtocolDecodeError(`invalid clientId length ${clientIdLength}`)
    const clientId = clientIdLength < 0 ? null : r.utf8(clientIdLength)
    const api = lookup(requestApiKey)
    const out: DecodedRequestHeader = { requestApiKey, requestApiVersion, correlationId, clientId, bodyOffset: 0 }
    if (api && requestApiVersion >= api.validVersions.min && requestApiVersion <= api.validVersions.max) {
      if (requestHeaderVersion(api, requestApiVersion) >= 2) {
        // tag section of header v2: no known tags, keep unknown ones
        const count = r.uvarint()
        if (count > r.remaining) throw new ProtocolDecodeError(`${count} tagged fields cannot fit`)
        for (let i = 0; i < count; i++) {
          const tag = r.uvarint()
          const data = r.bytes(r.uvarint())
          ;(out.unknownTaggedFields ??= []).push({ tag, data })
        }
      }
    }
    out.bodyOffset = r.offset
    return out
  } catch (e) {
    throw decodeErrorAt(e, 'RequestHeader')
  }
}

/** Decodes a request body that starts at `offset` of `frame` and runs to its end. */
export function decodeRequestBody<Rq>(api: ApiSchema<Rq, unknown>, version: number, frame: Buffer, offset: number): Rq {
  const codec = codecFor(api, 'request', version)
  return codec.decode(frame.subarray(offset))
}

/** Reads the correlation id and body of a response frame (without its size prefix). */
export function decodeResponseFrame<Rs>(
  api: ApiSchema<unknown, Rs>,
  version: number,
  frame: Buffer,
): { correlationId: number; body: Rs } {
  const r = new Reader(frame)
  const headerVersion = responseHeaderVersion(api, version)
  let header: ResponseHeaderData
  try {
    header = responseHeaderCodec(headerVersion).read(r) as ResponseHeaderData
  } catch (e) {
    throw decodeErrorAt(e, 'ResponseHeader')
  }
  const body = codecFor(api, 'response', version).decode(frame.subarray(r.offset))
  return { correlationId: header.correlationId, body }
}
