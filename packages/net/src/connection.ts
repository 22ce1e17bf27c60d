// The client side of one Kafka connection: assigns correlation ids, keeps the map of requests in flight, matches
// each response frame to its request by the correlation id at the front of the response header, and fails
// requests that outlive their timeout. The broker uses it for replication and controller RPCs later; tests use
// it to speak raw protocol to a broker.
//
// A request that times out is failed on its own and its late response is dropped. Kafka's clients close the
// connection instead (the peer is presumed stuck); callers that want that call destroy() on a timeout.

import { connect, isIP, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls'
import {
  decodeResponseFrame,
  encodeRequestFrame,
  type ApiSchema,
  type RequestEnvelope,
  type RawTaggedField,
} from '@samsa/protocol'
import { FrameDecoder } from './framing.ts'

export interface ConnectionOptions {
  host: string
  port: number
  clientId?: string | null
  /** Largest response frame accepted. */
  maxFrameBytes?: number
  /** Default per-request timeout. */
  requestTimeoutMs?: number
  connectTimeoutMs?: number
  /** Speak TLS with these options (the host is the default SNI name and the name checked in the certificate). */
  tls?: TlsOptions
}

export class ConnectionClosedError extends Error {
  constructor(message = 'connection closed') {
    super(message)
    this.name = 'ConnectionClosedError'
  }
}

export class RequestTimeoutError extends Error {
  readonly correlationId: number
  constructor(correlationId: number, timeoutMs: number) {
    super(`no response to correlation id ${correlationId} within ${timeoutMs} ms`)
    this.name = 'RequestTimeoutError'
    this.correlationId = correlationId
  }
}

interface InFlight {
  resolve(frame: Buffer): void
  reject(error: Error): void
  timer: NodeJS.Timeout | undefined
}

export interface SendOptions {
  /** False for Produce with acks=0: the broker sends nothing back. */
  expectResponse?: boolean
  timeoutMs?: number
}

export class Connection {
  readonly host: string
  readonly port: number
  readonly clientId: string | null
  readonly #socket: Socket
  readonly #decoder: FrameDecoder
  readonly #inFlight = new Map<number, InFlight>()
  readonly #requestTimeoutMs: number
  #nextCorrelationId = 0
  #closedError: Error | null = null
  readonly #closed: Promise<void>

  private constructor(socket: Socket, options: ConnectionOptions) {
    this.host = options.host
    this.port = options.port
    this.clientId = options.clientId === undefined ? 'samsa' : options.clientId
    this.#socket = socket
    this.#decoder = new FrameDecoder(options.maxFrameBytes ?? 0x7fffffff)
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (err) => this.#fail(err))
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('close', () => this.#fail(new ConnectionClosedError()))
  }

  static async connect(options: ConnectionOptions): Promise<Connection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const { host, port, tls } = options
      const s =
        tls === undefined
          ? connect({ host, port })
          : connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...tls })
      const timer =
        options.connectTimeoutMs === undefined
          ? undefined
          : setTimeout(
              () => s.destroy(new Error(`connect timed out after ${options.connectTimeoutMs} ms`)),
              options.connectTimeoutMs,
            )
      s.once(tls === undefined ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        resolve(s)
      })
      s.once('error', (err: Error) => {
        clearTimeout(timer)
        reject(err)
      })
    })
    return new Connection(socket, options)
  }

  get isClosed(): boolean {
    return this.#closedError !== null
  }

  /** Resolves when the socket has closed (by either side). */
  get closed(): Promise<void> {
    return this.#closed
  }

  /** Requests awaiting a response. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  nextCorrelationId(): number {
    const id = this.#nextCorrelationId
    this.#nextCorrelationId = (id + 1) | 0
    return id
  }

  /**
   * Sends a pre-encoded frame (size prefix included) whose header carries `correlationId`, and resolves with the
   * response frame (without its size prefix), or null when no response is expected.
   */
  send(correlationId: number, frame: readonly Buffer[], options: SendOptions = {}): Promise<Buffer | null> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError)
    const expectResponse = options.expectResponse ?? true
    this.#socket.cork()
    for (const chunk of frame) this.#socket.write(chunk)
    process.nextTick(() => this.#socket.uncork())
    if (!expectResponse) return Promise.resolve(null)
    return new Promise<Buffer>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs
      const entry: InFlight = { resolve, reject, timer: undefined }
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        entry.timer = setTimeout(() => {
          this.#inFlight.delete(correlationId)
          reject(new RequestTimeoutError(correlationId, timeoutMs))
        }, timeoutMs)
      }
      this.#inFlight.set(correlationId, entry)
    })
  }

  /** Encodes, sends and decodes one request of `api` at `version`. */
  async request<Rq, Rs>(
    api: ApiSchema<Rq, Rs>,
    version: number,
    body: Rq,
    options: SendOptions & { headerTags?: RawTaggedField[] } = {},
  ): Promise<Rs> {
    const correlationId = this.nextCorrelationId()
    const envelope: RequestEnvelope = { correlationId, clientId: this.clientId }
    if (options.headerTags) envelope.unknownTaggedFields = options.headerTags
    const frame = encodeRequestFrame(api, version, envelope, body)
    const response = await this.send(correlationId, frame, options)
    if (response === null) return undefined as Rs
    return decodeResponseFrame(api, version, response).body
  }

  /** Closes gracefully after the bytes already written; requests still in flight fail. */
  async close(): Promise<void> {
    if (!this.#socket.destroyed) this.#socket.end()
    await this.#closed
  }

  destroy(error?: Error): void {
    this.#socket.destroy(error)
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.#decoder.push(chunk)
    } catch (e) {
      this.#socket.destroy(e as Error)
      return
    }
    for (const frame of frames) {
      if (frame.length < 4) {
        this.#socket.destroy(new Error(`response frame of ${frame.length} bytes has no correlation id`))
        return
      }
      const correlationId = frame.readInt32BE(0)
      const entry = this.#inFlight.get(correlationId)
      if (entry === undefined) continue // timed out earlier, or never ours
      this.#inFlight.delete(correlationId)
      clearTimeout(entry.timer)
      entry.resolve(frame)
    }
  }

  #fail(error: Error): void {
    this.#closedError ??= error
    for (const [id, entry] of this.#inFlight) {
      this.#inFlight.delete(id)
      clearTimeout(entry.timer)
      entry.reject(this.#closedError)
    }
  }
}
