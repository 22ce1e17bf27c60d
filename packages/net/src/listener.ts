// A TCP listener that turns each accepted socket into a Session. The caller supplies one handler per
// connection (where per-connection state such as the SASL stage lives) and gets the bound address back, so
// port 0 gives tests and embedded brokers an ephemeral port.

import { createServer, type Server, type Socket } from 'node:net'
import { FramePool } from './frame-pool.ts'
import { FrameReader } from './frame-reader.ts'
import { Session, type SessionHandler, type SessionOptions } from './session.ts'
import { readThroughFrameReader } from './user-buffer-socket.ts'

/** Memory a listener keeps for recycled request frames: a few 1 MiB produce requests in flight. */
const SPARE_FRAME_BYTES = 16 * 1024 * 1024

export interface ListenerOptions extends SessionOptions {
  host: string
  port: number
  /** Builds the handler of a new connection. */
  onConnection(session: Session): SessionHandler
  /** Decides on a new connection before anything is read from it: false closes it at once (connection limits). */
  admit?(remoteAddress: string): boolean
  /** Called when a connection ends abnormally (frame too large, socket error, handler failure). */
  onConnectionError?(session: Session, error: Error): void
  /** Listen backlog; Node's default when unset. */
  backlog?: number
}

export interface ListenerAddress {
  host: string
  port: number
}

export class Listener {
  readonly #options: ListenerOptions
  readonly #server: Server
  readonly #sessions = new Set<Session>()
  /** Large request frames handlers gave back, shared by every connection (frame-pool.ts). */
  readonly #framePool = new FramePool({
    maxSpareBytes: SPARE_FRAME_BYTES,
    poison: process.env.SAMSA_POISON_RECYCLED_FRAMES === '1',
  })
  #nextId = 0
  #address: ListenerAddress | null = null

  private constructor(options: ListenerOptions) {
    this.#options = options
    // allowHalfOpen: a client that shuts down its sending side still gets the responses it asked for.
    // pauseOnConnect: nothing is read before the socket is re-made to read through a FrameReader.
    this.#server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) =>
      this.#accept(socket),
    )
  }

  /** Binds and starts accepting; resolves once the port is bound. */
  static async listen(options: ListenerOptions): Promise<Listener> {
    const listener = new Listener(options)
    await new Promise<void>((resolve, reject) => {
      const server = listener.#server
      const onError = (err: Error) => reject(err)
      server.once('error', onError)
      server.listen({ host: options.host, port: options.port, backlog: options.backlog }, () => {
        server.off('error', onError)
        resolve()
      })
    })
    const bound = listener.#server.address()
    if (bound === null || typeof bound === 'string') throw new Error('listener bound to a pipe, expected TCP')
    listener.#address = { host: bound.address, port: bound.port }
    return listener
  }

  get address(): ListenerAddress {
    if (this.#address === null) throw new Error('listener is not bound')
    return this.#address
  }

  get sessions(): ReadonlySet<Session> {
    return this.#sessions
  }

  /** Stops accepting and closes every connection (pending responses are dropped). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    for (const session of this.#sessions) session.destroy()
    await closed
  }

  #accept(accepted: Socket): void {
    if (this.#options.admit !== undefined && !this.#options.admit(accepted.remoteAddress ?? '')) {
      accepted.destroy()
      return
    }
    const made = readThroughFrameReader(
      accepted,
      () => new FrameReader(this.#options.maxFrameBytes, this.#framePool),
      true,
    )
    const socket = made?.socket ?? accepted
    const id = this.#nextId++
    // The handler is built after the session exists (it needs the session), before any data can arrive.
    const slot: { handler?: SessionHandler } = {}
    const session = new Session(
      id,
      socket,
      {
        onFrame: (frame, s) => (slot.handler as SessionHandler).onFrame(frame, s),
        onClose: (s, error) => {
          this.#sessions.delete(s)
          if (error !== undefined) this.#options.onConnectionError?.(s, error)
          slot.handler?.onClose?.(s, error)
        },
      },
      this.#options,
      made?.reader,
    )
    if (made === null) accepted.resume()
    this.#sessions.add(session)
    slot.handler = this.#options.onConnection(session)
  }
}
