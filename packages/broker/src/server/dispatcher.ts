// The request walk (ARCHITECTURE.md §9.5), one explicit pipeline:
//  1. read the header; a malformed header closes the connection;
//  2. unknown API key → close (Kafka: InvalidRequestException in parseRequestHeader);
//  3. unadvertised version → close, except ApiVersions, which gets a v0 body with UNSUPPORTED_VERSION and our
//     ApiVersions range so the client can retry with a version we speak (KIP-511, RequestContext.parseRequest);
//     advertised-but-refused versions (Produce v0-2) close too;
//  4. decode the body; failure → log and close;
//  5. (SASL gate: a later issue)
//  6. handle; a thrown KafkaError becomes errorResponse(code), anything else UNKNOWN_SERVER_ERROR, logged;
//  7. encode at the request's version; NO_RESPONSE writes nothing, CLOSE closes after earlier responses.
// Handlers that answer synchronously stay synchronous here, so a pipelined burst costs no promise per request.

import {
  ApiVersions,
  ErrorCode,
  Reader,
  codecFor,
  decodeRequestHeader,
  encodeResponseFrame,
  isKafkaError,
  type DecodedRequestHeader,
} from '@samsa/protocol'
import { CLOSE_CONNECTION, type Reply } from '@samsa/net'
import type { Logger } from '../logger.ts'
import { CLOSE, NO_RESPONSE, type AnyHandler } from './handler.ts'
import type { HandlerRegistry } from './registry.ts'
import type { BrokerServices, ConnectionState, RequestContext } from './request-context.ts'

const API_VERSIONS_KEY = ApiVersions.key

export class Dispatcher {
  readonly #registry: HandlerRegistry
  readonly #services: BrokerServices
  readonly #logger: Logger
  readonly #lookup: (apiKey: number) => ReturnType<HandlerRegistry['schema']>

  constructor(registry: HandlerRegistry, services: BrokerServices, logger: Logger) {
    this.#registry = registry
    this.#services = services
    this.#logger = logger
    this.#lookup = (apiKey) => registry.schema(apiKey)
  }

  dispatch(frame: Buffer, connection: ConnectionState): Reply | Promise<Reply> {
    let header: DecodedRequestHeader
    try {
      header = decodeRequestHeader(frame, this.#lookup)
    } catch (e) {
      return this.#close(connection, `malformed request header: ${(e as Error).message}`)
    }
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = header
    const handler = this.#registry.get(apiKey)
    if (handler === undefined) return this.#close(connection, `unknown API key ${apiKey}`)
    if (version < handler.minVersion || version > handler.maxVersion) {
      if (apiKey === API_VERSIONS_KEY) return this.#unsupportedApiVersions(handler, correlationId)
      return this.#close(connection, `${handler.api.name} v${version} is not supported`)
    }
    if (version < handler.acceptMinVersion) {
      return this.#close(connection, `${handler.api.name} v${version} is advertised for compatibility but refused`)
    }
    let request: unknown
    try {
      // Bytes after the body are ignored, as Kafka's parser does: librdkafka 2.15 sends Metadata v13 with an
      // extra includeClusterAuthorizedOperations byte and a tag section after the body, and Kafka accepts it.
      const reader = new Reader(frame, header.bodyOffset)
      request = codecFor(handler.api, 'request', version).read(reader)
      if (reader.remaining > 0) {
        this.#logger.debug(`${handler.api.name} v${version}: ignoring ${reader.remaining} bytes after the request body`)
      }
    } catch (e) {
      return this.#close(
        connection,
        `cannot decode ${handler.api.name} v${version}: ${(e as Error).message} (frame starts ${frame.subarray(0, 128).toString('hex')})`,
      )
    }
    let afterWritten: (() => void)[] | undefined
    let released = false
    const ctx: RequestContext = {
      apiKey,
      apiVersion: version,
      correlationId,
      clientId: header.clientId,
      connection,
      broker: this.#services,
      afterResponse: (callback) => void (afterWritten ??= []).push(callback),
      releaseRequest: () => void (released = true),
    }
    let result: unknown
    try {
      result = handler.handle(request, ctx)
    } catch (e) {
      return this.#respond(handler, ctx, this.#failure(handler, request, ctx, e), afterWritten)
    } finally {
      if (released) connection.recycleFrame?.(frame)
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => this.#respond(handler, ctx, r, afterWritten),
        (e: unknown) => this.#respond(handler, ctx, this.#failure(handler, request, ctx, e), afterWritten),
      )
    }
    return this.#respond(handler, ctx, result, afterWritten)
  }

  #failure(handler: AnyHandler, request: unknown, ctx: RequestContext, e: unknown): unknown {
    let code: number = ErrorCode.UNKNOWN_SERVER_ERROR
    if (isKafkaError(e)) {
      code = e.code
    } else {
      this.#logger.error(
        `${handler.api.name} v${ctx.apiVersion} (correlation id ${ctx.correlationId}, client ${ctx.clientId ?? '-'}, ` +
          `${ctx.connection.clientAddress}) failed unexpectedly`,
        e,
      )
    }
    return handler.errorResponse(request, code, ctx)
  }

  #respond(handler: AnyHandler, ctx: RequestContext, result: unknown, afterWritten?: (() => void)[]): Reply {
    const reply = this.#encode(handler, ctx, result)
    if (afterWritten === undefined) return reply
    const written = (): void => {
      for (const callback of afterWritten) {
        try {
          callback()
        } catch (e) {
          this.#logger.error(`an after-response callback of ${handler.api.name} failed`, e)
        }
      }
    }
    if (reply === null || reply === CLOSE_CONNECTION) {
      written()
      return reply
    }
    return { chunks: reply as readonly Buffer[], written }
  }

  #encode(handler: AnyHandler, ctx: RequestContext, result: unknown): Reply {
    if (result === NO_RESPONSE) return null
    if (result === CLOSE) return CLOSE_CONNECTION
    try {
      return encodeResponseFrame(handler.api, ctx.apiVersion, ctx.correlationId, result)
    } catch (e) {
      this.#logger.error(`cannot encode the ${handler.api.name} v${ctx.apiVersion} response`, e)
      return CLOSE_CONNECTION
    }
  }

  /** KIP-511: a v0 body any client can parse, carrying our ApiVersions range. */
  #unsupportedApiVersions(handler: AnyHandler, correlationId: number): Reply {
    return encodeResponseFrame(ApiVersions, 0, correlationId, {
      ...ApiVersions.response.make(),
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: API_VERSIONS_KEY, minVersion: handler.minVersion, maxVersion: handler.maxVersion }],
    })
  }

  #close(connection: ConnectionState, why: string): Reply {
    this.#logger.debug(`closing connection ${connection.connectionId} from ${connection.clientAddress}: ${why}`)
    return CLOSE_CONNECTION
  }
}
