// One server-side connection. Frames are handed to the handler in arrival order, and the handler may answer
// synchronously or with a promise, so requests on one connection run concurrently (a long-polling Fetch can wait
// while later requests are already being worked on). Responses still leave strictly in request order: each frame
// takes a slot in a queue, and only the completed slots at the head of the queue are written. That is the
// ordering guarantee Kafka gets by muting a channel while a request is in flight (SocketServer's
// processCompletedReceives), without serializing the work.
//
// Writes are batched: every response completed by one socket read (or one turn of the event loop) goes out in
// a single corked write, because one socket.write per response caps a connection at roughly 150K responses a
// second (LIMITS.md §4). Back-pressure: reading pauses while the socket's write buffer is over its high-water
// mark, or while `maxInFlight` requests are queued, and resumes when both have drained.

import type { Socket } from 'node:net'
import type { FrameReader } from './frame-reader.ts'
import { FrameDecoder, FrameTooLargeError } from './framing.ts'

/** A reply that closes the connection once the replies before it have been written. */
export const CLOSE_CONNECTION: unique symbol = Symbol('samsa.net.closeConnection')

/**
 * Response chunks whose memory the handler wants back: `written` runs once they have been handed to the kernel,
 * or once the connection failed or closed before they could be (then they are never written).
 */
export interface ReleasingReply {
  readonly chunks: readonly Buffer[]
  written(): void
}

/**
 * What a handler returns for one frame: the whole response frame as chunks (size prefix included), `null` for
 * no response (Produce with acks=0), or CLOSE_CONNECTION.
 */
export type Reply = readonly Buffer[] | ReleasingReply | null | typeof CLOSE_CONNECTION

export interface SessionHandler {
  /** Called once per frame, in order. Must not throw; a throw or rejection closes the connection. */
  onFrame(frame: Buffer, session: Session): Reply | Promise<Reply>
  /** The connection is gone (peer closed, error, or close()). `error` is set when it ended abnormally. */
  onClose?(session: Session, error: Error | undefined): void
}

export interface SessionOptions {
  /** Largest frame accepted (socket.request.max.bytes); a larger size prefix closes the connection. */
  maxFrameBytes: number
  /** Requests queued (running or waiting to be written) before reading pauses. */
  maxInFlight?: number
  /** Close the connection after this long with no traffic and nothing in flight (connections.max.idle.ms). */
  idleTimeoutMs?: number
}

interface Slot {
  done: boolean
  reply: Reply
}

export class Session {
  readonly id: number
  readonly socket: Socket
  readonly remoteAddress: string
  readonly remotePort: number
  /** Splits 'data' chunks into frames, for a socket that was not given a FrameReader. */
  readonly #decoder: FrameDecoder | null
  readonly #reader: FrameReader | undefined
  readonly #handler: SessionHandler
  readonly #maxInFlight: number
  readonly #queue: Slot[] = []
  #head = 0
  #closing = false
  #closed = false
  #flushScheduled = false
  #pausedForInFlight = false
  #pausedForDrain = false
  #closeError: Error | undefined

  /**
   * `reader`: the socket reads into memory the reader chooses (it was built with `onread`, see frame-reader.ts) and
   * the reader hands over whole frames. Without one, frames are cut out of the socket's 'data' chunks.
   */
  constructor(id: number, socket: Socket, handler: SessionHandler, options: SessionOptions, reader?: FrameReader) {
    this.id = id
    this.socket = socket
    this.remoteAddress = socket.remoteAddress ?? ''
    this.remotePort = socket.remotePort ?? 0
    this.#decoder = reader === undefined ? new FrameDecoder(options.maxFrameBytes) : null
    this.#reader = reader
    this.#handler = handler
    this.#maxInFlight = options.maxInFlight ?? 1024
    socket.setNoDelay(true)
    if (options.idleTimeoutMs !== undefined && options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => {
        if (this.inFlight === 0) this.destroy(new Error('connection idle for longer than connections.max.idle.ms'))
      })
    }
    if (reader === undefined) {
      socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    } else {
      reader.attach({ frames: (frames) => this.#onFrames(frames), error: (error) => this.destroy(error) })
    }
    socket.on('drain', () => {
      this.#pausedForDrain = false
      this.#maybeResume()
    })
    socket.on('error', (err) => {
      this.#closeError ??= err
    })
    socket.on('close', () => this.#onClose())
    // The peer half-closed: finish what was asked, then close our side (allowHalfOpen keeps writes possible).
    socket.on('end', () => {
      this.#closing = true
      this.#maybeEnd()
    })
  }

  /** Requests received whose responses have not been written yet. */
  get inFlight(): number {
    return this.#queue.length - this.#head
  }

  get isClosed(): boolean {
    return this.#closed
  }

  /**
   * The handler is done with a frame it was given: nothing reads or keeps its bytes any more (views included), so
   * its memory may take the next request (frame-pool.ts). Calling it for anything else does nothing.
   */
  recycleFrame(frame: Buffer): void {
    this.#reader?.recycle(frame)
  }

  /** Stops reading, writes the responses of requests already received, then closes. */
  close(): void {
    if (this.#closed) return
    this.#closing = true
    this.socket.pause()
    this.#maybeEnd()
  }

  /** Closes at once, dropping pending responses. */
  destroy(error?: Error): void {
    if (this.#closed) return
    this.#closeError ??= error
    this.#closing = true
    this.socket.destroy()
  }

  #onData(chunk: Buffer): void {
    if (this.#closing) return
    let frames: Buffer[]
    try {
      frames = (this.#decoder as FrameDecoder).push(chunk)
    } catch (e) {
      this.destroy(e instanceof FrameTooLargeError ? e : new Error(String(e)))
      return
    }
    this.#onFrames(frames)
  }

  #onFrames(frames: Buffer[]): void {
    if (this.#closing) return
    for (const frame of frames) {
      if (this.#closing) break
      this.#dispatch(frame)
    }
    this.#flush()
    if (this.inFlight >= this.#maxInFlight && !this.#pausedForInFlight) {
      this.#pausedForInFlight = true
      this.socket.pause()
    }
  }

  #dispatch(frame: Buffer): void {
    const slot: Slot = { done: false, reply: null }
    this.#queue.push(slot)
    let result: Reply | Promise<Reply>
    try {
      result = this.#handler.onFrame(frame, this)
    } catch (e) {
      this.#fail(slot, e)
      return
    }
    if (isPromise(result)) {
      result.then(
        (reply) => this.#complete(slot, reply, true),
        (e: unknown) => this.#fail(slot, e, true),
      )
    } else {
      this.#complete(slot, result, false)
    }
  }

  #complete(slot: Slot, reply: Reply, later: boolean): void {
    slot.done = true
    slot.reply = reply
    if (this.#closed) {
      this.#discard(slot)
      return
    }
    if (reply === CLOSE_CONNECTION) this.#closing = true
    if (later) this.#scheduleFlush()
  }

  #fail(slot: Slot, e: unknown, later = false): void {
    this.#closeError ??= e instanceof Error ? e : new Error(String(e))
    this.#complete(slot, CLOSE_CONNECTION, later)
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    // Coalesce every response that completes in this turn of the event loop into one write.
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    if (this.#closed) return
    const queue = this.#queue
    const first = queue[this.#head]
    if (first === undefined || !first.done) {
      this.#maybeEnd()
      return
    }
    const socket = this.socket
    let close = false
    socket.cork()
    while (this.#head < queue.length) {
      const slot = queue[this.#head] as Slot
      if (!slot.done) break
      this.#head++
      const reply = slot.reply
      if (reply === CLOSE_CONNECTION) {
        close = true
        break
      }
      if (reply === null) continue
      if (isReleasing(reply)) {
        const chunks = reply.chunks
        for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i] as Buffer)
        // Write callbacks run in order, and also (with an error) when the socket is destroyed first.
        socket.write(chunks[chunks.length - 1] ?? EMPTY, () => reply.written())
      } else {
        for (const chunk of reply) socket.write(chunk)
      }
    }
    socket.uncork()
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head)
      this.#head = 0
    }
    if (close) {
      this.#closing = true
      for (let i = this.#head; i < queue.length; i++) this.#discard(queue[i] as Slot)
      this.#queue.length = this.#head // drop responses after the close
      socket.end()
      return
    }
    if (socket.writableNeedDrain && !this.#pausedForDrain) {
      // The peer is not reading its responses: stop reading its requests until the write buffer drains.
      this.#pausedForDrain = true
      socket.pause()
    }
    if (this.#pausedForInFlight && this.inFlight < this.#maxInFlight) this.#pausedForInFlight = false
    this.#maybeResume()
    this.#maybeEnd()
  }

  #maybeResume(): void {
    if (this.#closing || this.#closed || this.#pausedForDrain || this.#pausedForInFlight) return
    if (this.socket.isPaused()) this.socket.resume()
  }

  #maybeEnd(): void {
    if (this.#closing && !this.#closed && this.inFlight === 0 && !this.socket.writableEnded) this.socket.end()
  }

  #onClose(): void {
    if (this.#closed) return
    this.#closed = true
    this.#closing = true
    for (let i = this.#head; i < this.#queue.length; i++) this.#discard(this.#queue[i] as Slot)
    this.#handler.onClose?.(this, this.#closeError)
  }

  /** A reply that will never be written: give its memory back now. */
  #discard(slot: Slot): void {
    const reply = slot.reply
    slot.reply = null
    if (slot.done && reply !== null && reply !== CLOSE_CONNECTION && isReleasing(reply)) reply.written()
  }
}

const EMPTY = Buffer.alloc(0)

function isReleasing(reply: readonly Buffer[] | ReleasingReply): reply is ReleasingReply {
  return !Array.isArray(reply)
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
