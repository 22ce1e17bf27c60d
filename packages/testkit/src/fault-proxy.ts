// A TCP proxy in front of a broker that injects network faults by API key, so client tests can make one kind of
// request misbehave without touching the broker:
// - drop(apiKey): the response never reaches the client (its request times out);
// - delay(apiKey, ms): the response is held for ms;
// - fail(apiKey): the client's connection is closed when such a request arrives (a network error; the broker
//   never sees the request).
//
// It reads Kafka frames both ways: the request header starts with apiKey (int16) and carries the correlation id at
// byte 4; a response starts with the correlation id. Responses are matched to requests per connection by
// correlation id, so pipelined requests of different keys are told apart; a response whose id was never seen (or
// a frame too short to carry one) is forwarded untouched.
//
// Responses leave in the order the broker sent them, as Kafka guarantees on a connection: a delayed response holds
// back the ones behind it (a slow broker, not a reordering one). A dropped response is simply skipped.
//
// Rules are checked in the order they were added; the first live one for the key acts, and one with a `count`
// expires after acting that many times. Each rule counts its hits and offers a promise per hit, so tests wait for a
// fault to have happened instead of sleeping.

import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { FrameDecoder, sizePrefix } from '@samsa/net'

/** What a rule does to the requests or responses of its API key. */
export type FaultKind = 'drop' | 'delay' | 'fail'

export interface FaultRuleOptions {
  /** How many times the rule acts before it expires; default: until removed or `clear()`. */
  count?: number
}

export interface FaultProxyOptions {
  /** The broker the proxy forwards to; may be changed later (`proxy.target = …`). */
  target: { host: string; port: number }
  /** Where the proxy listens; default 127.0.0.1 on an ephemeral port. */
  host?: string
  port?: number
}

/** One fault, as returned by `drop`, `delay` and `fail`. */
export class FaultRule {
  readonly kind: FaultKind
  readonly apiKey: number
  /** The hold time of a `delay` rule; 0 for the others. */
  readonly delayMs: number
  #remaining: number
  #hits = 0
  #hitWaiters: { hits: number; resolve: () => void }[] = []

  constructor(kind: FaultKind, apiKey: number, delayMs: number, options: FaultRuleOptions) {
    const count = options.count ?? Infinity
    if (!(count > 0)) throw new RangeError(`count must be positive, got ${count}`)
    this.kind = kind
    this.apiKey = apiKey
    this.delayMs = delayMs
    this.#remaining = count
  }

  /** Times the rule has acted (a response dropped or held, a connection failed). */
  get hits(): number {
    return this.#hits
  }

  /** False once its count is used up or it was removed. */
  get active(): boolean {
    return this.#remaining > 0
  }

  /** Resolves once the rule has acted `hits` times in total (at once if it already has). */
  waitForHits(hits = 1): Promise<void> {
    if (this.#hits >= hits) return Promise.resolve()
    return new Promise((resolve) => this.#hitWaiters.push({ hits, resolve }))
  }

  /** Stops the rule from acting again. Responses it already holds keep their delay. */
  remove(): void {
    this.#remaining = 0
  }

  /** Called by the proxy when the rule matches: uses one of its count and wakes the waiters it satisfies. */
  consume(): void {
    this.#remaining--
    this.#hits++
    const ready = this.#hitWaiters.filter((w) => w.hits <= this.#hits)
    this.#hitWaiters = this.#hitWaiters.filter((w) => w.hits > this.#hits)
    for (const waiter of ready) waiter.resolve()
  }
}

export class FaultProxy {
  /** Where connections are forwarded; a restarted broker on another port can be pointed at by changing it. */
  target: { host: string; port: number }
  readonly host: string
  readonly #server: Server
  readonly #relays = new Set<Relay>()
  /** Every client socket still open, including ones a relay only half-closed, so close() can end them all. */
  readonly #clientSockets = new Set<Socket>()
  #rules: FaultRule[] = []
  readonly #requestsByApiKey = new Map<number, number>()
  #connectionsAccepted = 0

  private constructor(server: Server, host: string, target: { host: string; port: number }) {
    this.#server = server
    this.host = host
    this.target = target
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const host = options.host ?? '127.0.0.1'
    const server = createServer()
    const proxy = new FaultProxy(server, host, { ...options.target })
    server.on('connection', (client: Socket) => proxy.#accept(client))
    server.listen(options.port ?? 0, host)
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error as Error)),
    ])
    return proxy
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port
  }

  /** `host:port`, what clients bootstrap from. */
  get address(): string {
    return `${this.host}:${this.port}`
  }

  /** Swallows responses to requests of `apiKey`: the client sees its request time out. */
  drop(apiKey: number, options: FaultRuleOptions = {}): FaultRule {
    return this.#add(new FaultRule('drop', apiKey, 0, options))
  }

  /** Holds responses to requests of `apiKey` for `ms` (and, to keep the order, the responses behind them). */
  delay(apiKey: number, ms: number, options: FaultRuleOptions = {}): FaultRule {
    if (!(ms >= 0)) throw new RangeError(`delay must be non-negative, got ${ms}`)
    return this.#add(new FaultRule('delay', apiKey, ms, options))
  }

  /** Closes the client's connection when a request of `apiKey` arrives; the broker never sees that request. */
  fail(apiKey: number, options: FaultRuleOptions = {}): FaultRule {
    return this.#add(new FaultRule('fail', apiKey, 0, options))
  }

  /** Removes every rule and releases the responses held by delays now, so the proxy is transparent again. */
  clear(): void {
    for (const rule of this.#rules) rule.remove()
    this.#rules = []
    for (const relay of this.#relays) relay.releaseHeldResponses()
  }

  /** Requests seen from clients so far, of one API key or of all. */
  requestCount(apiKey?: number): number {
    if (apiKey !== undefined) return this.#requestsByApiKey.get(apiKey) ?? 0
    let total = 0
    for (const n of this.#requestsByApiKey.values()) total += n
    return total
  }

  /** Client connections accepted since the start (a reconnect shows up as one more). */
  get connectionsAccepted(): number {
    return this.#connectionsAccepted
  }

  /** Client connections currently relayed. */
  get openConnections(): number {
    return this.#relays.size
  }

  /** Closes every relayed connection (both sides), as a network blip would; new ones are still accepted. */
  disconnectAll(): void {
    for (const relay of this.#relays) relay.destroy()
  }

  /** Stops listening and closes every relayed connection. */
  async close(): Promise<void> {
    this.clear()
    this.disconnectAll()
    for (const socket of this.#clientSockets) socket.destroy()
    if (!this.#server.listening) return
    const closed = once(this.#server, 'close')
    this.#server.close()
    await closed
  }

  #add(rule: FaultRule): FaultRule {
    this.#rules.push(rule)
    return rule
  }

  #accept(client: Socket): void {
    this.#connectionsAccepted++
    this.#clientSockets.add(client)
    client.once('close', () => this.#clientSockets.delete(client))
    const relay = new Relay(client, connect(this.target), {
      onRequest: (apiKey) => {
        this.#requestsByApiKey.set(apiKey, (this.#requestsByApiKey.get(apiKey) ?? 0) + 1)
        return this.#take(apiKey, (kind) => kind === 'fail')
      },
      onResponse: (apiKey) => this.#take(apiKey, (kind) => kind !== 'fail'),
      onClosed: () => this.#relays.delete(relay),
    })
    this.#relays.add(relay)
  }

  /** The first live rule for `apiKey` of a matching kind, its count used once; expired rules are forgotten. */
  #take(apiKey: number, kindMatches: (kind: FaultKind) => boolean): FaultRule | null {
    const rule = this.#rules.find((r) => r.active && r.apiKey === apiKey && kindMatches(r.kind))
    if (rule === undefined) return null
    rule.consume()
    if (!rule.active) this.#rules = this.#rules.filter((r) => r !== rule)
    return rule
  }
}

interface RelayHooks {
  /** A request frame arrived from the client; a returned `fail` rule closes the connection instead. */
  onRequest(apiKey: number): FaultRule | null
  /** A response to a request of `apiKey` arrived from the broker; a returned drop/delay rule applies to it. */
  onResponse(apiKey: number): FaultRule | null
  onClosed(): void
}

interface OutgoingResponse {
  frame: Buffer
  held: NodeJS.Timeout | null
}

// The proxy never refuses a frame for its size: it only relays what the two ends agreed on.
const NO_FRAME_LIMIT = 0x7fffffff

/** One client connection and its own connection to the broker. */
class Relay {
  readonly #client: Socket
  readonly #upstream: Socket
  readonly #hooks: RelayHooks
  readonly #requestFrames = new FrameDecoder(NO_FRAME_LIMIT)
  readonly #responseFrames = new FrameDecoder(NO_FRAME_LIMIT)
  /** API key of each request still awaiting its response, by correlation id. */
  readonly #apiKeyByCorrelationId = new Map<number, number>()
  /** Responses not yet written to the client, in the broker's order; the first one held blocks the rest. */
  #outgoing: OutgoingResponse[] = []
  #destroyed = false

  constructor(client: Socket, upstream: Socket, hooks: RelayHooks) {
    this.#client = client
    this.#upstream = upstream
    this.#hooks = hooks
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    client.on('data', (chunk: Buffer) => this.#onRequestBytes(chunk))
    upstream.on('data', (chunk: Buffer) => this.#onResponseBytes(chunk))
    // The broker going away (stopped, restarting, refusing) must look like a dropped connection to the client,
    // which then reconnects through the proxy; the same the other way round.
    client.on('error', () => this.destroy())
    client.on('close', () => this.destroy())
    upstream.on('error', () => this.destroy())
    // A broker closing cleanly has sent its last responses first: let them reach the client before the FIN.
    upstream.on('close', () => this.destroy({ flushClient: true }))
  }

  releaseHeldResponses(): void {
    for (const response of this.#outgoing) {
      clearTimeout(response.held ?? undefined)
      response.held = null
    }
    this.#flush()
  }

  /** Closes both sides; held responses are discarded. `flushClient` ends the client side after its pending bytes. */
  destroy(options: { flushClient?: boolean } = {}): void {
    if (this.#destroyed) return
    this.#destroyed = true
    for (const response of this.#outgoing) clearTimeout(response.held ?? undefined)
    this.#outgoing = []
    if (options.flushClient === true) this.#client.end()
    else this.#client.destroy()
    this.#upstream.destroy()
    this.#hooks.onClosed()
  }

  #onRequestBytes(chunk: Buffer): void {
    const frames = this.#decode(this.#requestFrames, chunk)
    if (frames === null) return
    this.#upstream.cork()
    try {
      for (const frame of frames) {
        // apiKey int16, apiVersion int16, correlationId int32: anything shorter is not a request, pass it on
        if (frame.length >= 8) {
          const apiKey = frame.readInt16BE(0)
          if (this.#hooks.onRequest(apiKey) !== null) {
            this.destroy()
            return
          }
          this.#apiKeyByCorrelationId.set(frame.readInt32BE(4), apiKey)
        }
        this.#upstream.write(sizePrefix(frame.length))
        this.#upstream.write(frame)
      }
    } finally {
      this.#upstream.uncork()
    }
  }

  #onResponseBytes(chunk: Buffer): void {
    const frames = this.#decode(this.#responseFrames, chunk)
    if (frames === null) return
    for (const frame of frames) {
      const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : null
      const apiKey = correlationId === null ? undefined : this.#apiKeyByCorrelationId.get(correlationId)
      if (apiKey === undefined || correlationId === null) {
        this.#outgoing.push({ frame, held: null })
        continue
      }
      this.#apiKeyByCorrelationId.delete(correlationId)
      const rule = this.#hooks.onResponse(apiKey)
      if (rule?.kind === 'drop') continue
      const response: OutgoingResponse = { frame, held: null }
      if (rule?.kind === 'delay') {
        response.held = setTimeout(() => {
          response.held = null
          this.#flush()
        }, rule.delayMs)
      }
      this.#outgoing.push(response)
    }
    this.#flush()
  }

  /** Writes the responses at the front of the queue up to the first one still held. */
  #flush(): void {
    if (this.#destroyed) return
    let sent = 0
    this.#client.cork()
    for (const response of this.#outgoing) {
      if (response.held !== null) break
      this.#client.write(sizePrefix(response.frame.length))
      this.#client.write(response.frame)
      sent++
    }
    this.#client.uncork()
    if (sent > 0) this.#outgoing = this.#outgoing.slice(sent)
  }

  #decode(decoder: FrameDecoder, chunk: Buffer): Buffer[] | null {
    if (this.#destroyed) return null
    try {
      return decoder.push(chunk)
    } catch {
      // not Kafka framing (a negative size): nothing sensible can be relayed any more
      this.destroy()
      return null
    }
  }
}
