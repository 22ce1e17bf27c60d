// The shape of one API handler (ARCHITECTURE.md §9.5): the schema it serves, the versions it advertises, `handle`
// (decode → call one domain service → map), and `errorResponse`, which builds the whole-request failure answer
// for a thrown KafkaError or an unexpected error (Kafka's AbstractRequest.getErrorResponse).

import type { ApiSchema } from '@samsa/protocol'
import type { RequestContext } from './request-context.ts'

/** Produce with acks=0: the client expects nothing back. */
export const NO_RESPONSE: unique symbol = Symbol('samsa.noResponse')
/** Close the connection instead of answering (acks=0 produce that failed, as Kafka does). */
export const CLOSE: unique symbol = Symbol('samsa.close')

export type HandlerResult<Rs> = Rs | typeof NO_RESPONSE | typeof CLOSE

export interface VersionRange {
  minVersion: number
  maxVersion: number
  /**
   * Versions from minVersion up to (not including) this are advertised but refused by closing the connection:
   * Kafka 4 does this for Produce v0-2 because librdkafka's feature detection needs Produce v0 advertised
   * (KAFKA-18659).
   */
  acceptMinVersion?: number
}

export interface Handler<Rq, Rs> {
  readonly api: ApiSchema<Rq, Rs>
  readonly minVersion: number
  readonly maxVersion: number
  readonly acceptMinVersion: number
  handle(request: Rq, ctx: RequestContext): HandlerResult<Rs> | Promise<HandlerResult<Rs>>
  /** May also return CLOSE or NO_RESPONSE (a failed acks=0 produce closes the connection). */
  errorResponse(request: Rq, errorCode: number, ctx: RequestContext): HandlerResult<Rs>
}

/** A handler of any API, as the registry holds them (request and response types erased). */
export type AnyHandler = Handler<unknown, unknown>

/** Erases a handler's message types so handlers of different APIs fit in one list. */
export function anyHandler<Rq, Rs>(handler: Handler<Rq, Rs>): AnyHandler {
  return handler
}

export function defineHandler<Rq, Rs>(
  api: ApiSchema<Rq, Rs>,
  versions: VersionRange,
  impl: {
    handle(request: Rq, ctx: RequestContext): HandlerResult<Rs> | Promise<HandlerResult<Rs>>
    errorResponse(request: Rq, errorCode: number, ctx: RequestContext): HandlerResult<Rs>
  },
): Handler<Rq, Rs> {
  const { minVersion, maxVersion } = versions
  if (minVersion < api.validVersions.min || maxVersion > api.validVersions.max || minVersion > maxVersion) {
    throw new Error(
      `${api.name}: versions ${minVersion}-${maxVersion} are outside the schema's ${api.validVersions.text}`,
    )
  }
  return {
    api,
    minVersion,
    maxVersion,
    acceptMinVersion: versions.acceptMinVersion ?? minVersion,
    handle: (request, ctx) => impl.handle(request, ctx),
    errorResponse: (request, errorCode, ctx) => impl.errorResponse(request, errorCode, ctx),
  }
}
