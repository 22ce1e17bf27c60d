// One connection to one broker, opened on first use and reopened after it drops. The first request on a fresh
// socket is ApiVersions, and every later request uses the highest version both sides support. Requests pipeline
// over the socket up to max.in.flight.requests.per.connection; callers beyond that wait for a slot.
// A request that times out closes the connection, as Kafka's NetworkClient does: the broker is presumed stuck, and
// every other request in flight on it fails as retriable so it is resent on a fresh socket.

import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { Connection, ConnectionClosedError, RequestTimeoutError } from '@samsa/net'
import {
  ApiVersions,
  ErrorCode,
  ProtocolDecodeError,
  ProtocolEncodeError,
  UnsupportedVersionError,
  type ApiSchema,
} from '@samsa/protocol'
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from '../defaults.ts'
import { closedError, isSamsaError, KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { authenticate, type SaslOptions } from '../security/sasl.ts'
import { API_VERSIONS_FIRST_TRY, brokerVersionsFrom, negotiateVersion, type BrokerVersions } from './versions.ts'

export interface BrokerConnectionOptions {
  /** The broker's node id, or a negative id for a bootstrap server not yet known by id. */
  nodeId: number
  host: string
  port: number
  clientId: string
  requestTimeoutMs: number
  connectTimeoutMs: number
  maxInFlightRequestsPerConnection: number
  maxResponseBytes: number
  /** TLS options when the connection speaks TLS (SSL, SASL_SSL), else null. */
  tls: TlsOptions | null
  /** The SASL mechanism and credentials when connections authenticate (SASL_PLAINTEXT, SASL_SSL), else null. */
  sasl: SaslOptions | null
}

export interface RequestOptions {
  /** False for Produce with acks=0: the broker sends nothing back. */
  expectResponse?: boolean
  /** Overrides request.timeout.ms, e.g. to add a Fetch's long-poll wait. */
  timeoutMs?: number
}

export interface Answer<Rs> {
  response: Rs
  /** The version the request went out with; errors report it. */
  version: number
}

export class BrokerConnection {
  readonly nodeId: number
  readonly host: string
  readonly port: number
  readonly #options: BrokerConnectionOptions
  #connection: Connection | null = null
  #connecting: Promise<Connection> | null = null
  #versions: BrokerVersions | null = null
  /** When the SASL session must be renewed (KIP-368); Infinity without SASL or a lifetime. */
  #sessionExpiresAt = Infinity
  #inFlight = 0
  readonly #slotWaiters: (() => void)[] = []
  #isClosed = false

  constructor(options: BrokerConnectionOptions) {
    this.nodeId = options.nodeId
    this.host = options.host
    this.port = options.port
    this.#options = options
  }

  get inFlight(): number {
    return this.#inFlight
  }

  /** The broker's advertised versions, once a connection has negotiated them. */
  get brokerVersions(): BrokerVersions | null {
    return this.#versions
  }

  /** Whether the broker advertises `api` in a version this client speaks (connects if needed). */
  async supports(api: ApiSchema): Promise<boolean> {
    await this.#connect()
    return negotiateVersion(api, this.#versions as BrokerVersions) !== null
  }

  /** Sends one request; `build` makes the body for the negotiated version. */
  async request<Rq, Rs>(
    api: ApiSchema<Rq, Rs>,
    build: (version: number) => Rq,
    options: RequestOptions = {},
  ): Promise<Answer<Rs>> {
    const connection = await this.#connect()
    const version = negotiateVersion(api, this.#versions as BrokerVersions)
    if (version === null) {
      throw new SamsaError(
        SamsaErrorCode.UNSUPPORTED_VERSION,
        `broker ${this.nodeId} (${this.host}:${this.port}) supports no version of ${api.name} that this client speaks`,
      )
    }
    const body = build(version)
    await this.#acquireSlot()
    try {
      const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs
      const sendOptions = { timeoutMs, expectResponse: options.expectResponse ?? true }
      const response = await connection.request(api, version, body, sendOptions)
      return { response, version }
    } catch (error) {
      throw this.#failure(connection, api, error)
    } finally {
      this.#releaseSlot()
    }
  }

  /** Closes the socket; requests in flight fail. Later requests fail with SAMSA_ERR_CLOSED. */
  async close(): Promise<void> {
    this.#isClosed = true
    const connection = this.#connection
    this.#connection = null
    for (const wake of this.#slotWaiters.splice(0)) wake()
    if (connection !== null) {
      connection.destroy()
      await connection.closed
    }
  }

  /** Drops the socket (the next request reconnects). */
  disconnect(): void {
    if (this.#connection !== null) this.#drop(this.#connection)
  }

  /** Destroys `connection` and forgets it at once: its close event comes later, after new requests may arrive. */
  #drop(connection: Connection): void {
    connection.destroy()
    if (this.#connection === connection) this.#connection = null
  }

  #connect(): Promise<Connection> {
    if (this.#isClosed) return Promise.reject(closedError('connection'))
    if (this.#connection !== null && Date.now() >= this.#sessionExpiresAt) this.#retire(this.#connection)
    if (this.#connection !== null && !this.#connection.isClosed) return Promise.resolve(this.#connection)
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null
    })
    return this.#connecting
  }

  async #open(): Promise<Connection> {
    let connection: Connection
    try {
      connection = await Connection.connect({
        host: this.host,
        port: this.port,
        clientId: this.#options.clientId,
        maxFrameBytes: this.#options.maxResponseBytes,
        requestTimeoutMs: this.#options.requestTimeoutMs,
        connectTimeoutMs: this.#options.connectTimeoutMs,
        ...(this.#options.tls === null ? {} : { tls: this.#options.tls }),
      })
    } catch (error) {
      if (this.#options.tls !== null && isTlsRefusal(error)) {
        const message = `TLS handshake with ${this.host}:${this.port} failed: ${String(error)}`
        throw new SamsaError(SamsaErrorCode.AUTHENTICATION, message, { retriable: false, cause: error })
      }
      throw new SamsaError(SamsaErrorCode.NETWORK, `cannot connect to ${this.host}:${this.port}: ${String(error)}`, {
        retriable: true,
        cause: error,
      })
    }
    try {
      this.#versions = await this.#negotiate(connection)
      const sasl = this.#options.sasl
      this.#sessionExpiresAt = sasl === null ? Infinity : await authenticate(connection, this.#versions, sasl)
    } catch (error) {
      connection.destroy()
      throw this.#failure(connection, ApiVersions, error)
    }
    if (this.#isClosed) {
      connection.destroy()
      throw closedError('connection')
    }
    this.#connection = connection
    void connection.closed.then(() => {
      if (this.#connection === connection) this.#connection = null
    })
    return connection
  }

  /**
   * KIP-511: ask in the newest version we know; a broker that does not know it answers in v0 with
   * UNSUPPORTED_VERSION (which may not even decode as the newer version), and we ask again in v0.
   */
  async #negotiate(connection: Connection): Promise<BrokerVersions> {
    const ask = (version: number) =>
      connection.request(
        ApiVersions,
        version,
        ApiVersions.request.make({
          clientSoftwareName: CLIENT_SOFTWARE_NAME,
          clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
        }),
      )
    let response
    try {
      response = await ask(API_VERSIONS_FIRST_TRY)
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError)) throw error
    }
    if (response === undefined || response.errorCode === ErrorCode.UNSUPPORTED_VERSION) response = await ask(0)
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: ApiVersions.key, apiVersion: 0 })
    }
    return brokerVersionsFrom(response)
  }

  /**
   * Takes a connection whose SASL session is about to expire out of use: new requests open a fresh (newly
   * authenticated) connection, while those in flight get up to request.timeout.ms to finish on the old one.
   */
  #retire(connection: Connection): void {
    this.#connection = null
    setTimeout(() => connection.destroy(), this.#options.requestTimeoutMs).unref()
  }

  /** Maps what a request threw to a SamsaError; a timeout also closes the connection. */
  #failure(connection: Connection, api: ApiSchema, error: unknown): unknown {
    if (isSamsaError(error)) return error
    const where = `${api.name} to broker ${this.nodeId} (${this.host}:${this.port})`
    if (error instanceof RequestTimeoutError) {
      this.#drop(connection)
      return new SamsaError(SamsaErrorCode.TIMEOUT, `${where} timed out`, { retriable: true, cause: error })
    }
    // A request this version cannot carry is the caller's mistake, not the network's: never worth a retry.
    if (error instanceof UnsupportedVersionError) {
      return new SamsaError(SamsaErrorCode.UNSUPPORTED_VERSION, `${where}: ${error.message}`, { cause: error })
    }
    if (error instanceof ProtocolEncodeError) {
      return new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, `${where}: ${error.message}`, { cause: error })
    }
    if (error instanceof ProtocolDecodeError) {
      this.#drop(connection)
      return new SamsaError(SamsaErrorCode.PROTOCOL, `${where}: undecodable response`, { cause: error })
    }
    if (this.#isClosed) return closedError('connection')
    if (error instanceof ConnectionClosedError || error instanceof Error) {
      return new SamsaError(SamsaErrorCode.NETWORK, `${where} failed: ${error.message}`, {
        retriable: true,
        cause: error,
      })
    }
    return error
  }

  #acquireSlot(): Promise<void> | void {
    if (this.#inFlight < this.#options.maxInFlightRequestsPerConnection) {
      this.#inFlight++
      return
    }
    return new Promise<void>((resolve) =>
      this.#slotWaiters.push(() => {
        this.#inFlight++
        resolve()
      }),
    )
  }

  #releaseSlot(): void {
    this.#inFlight--
    this.#slotWaiters.shift()?.()
  }
}

/** Whether a connect error is the TLS layer refusing (certificate, protocol), which retrying will not fix. */
function isTlsRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|ERR_SSL|ERR_TLS|EPROTO/.test(code)
}
