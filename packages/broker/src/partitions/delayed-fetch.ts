// The fetch purgatory: a Fetch that found fewer than minBytes waits here, watching its partitions, until appends
// bring enough bytes, one of its partitions goes away or changes leader, or maxWaitMs passes (Kafka's
// DelayedFetch in a DelayedOperationPurgatory). Completion is counted, not re-read: each append adds its size to
// the waiting fetches that watch that partition, and the fetch re-reads once when it completes.

import type { Clock, TimerHandle } from '@samsa/storage'

interface Waiter {
  readonly keys: readonly string[]
  readonly minBytes: number
  accumulatedBytes: number
  timer: TimerHandle | null
  done: boolean
  resolve(): void
}

export class FetchPurgatory {
  readonly #clock: Clock
  readonly #watchers = new Map<string, Set<Waiter>>()
  readonly #all = new Set<Waiter>()
  #closed = false

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** After completeAll (shutdown): waits end at once. */
  get closed(): boolean {
    return this.#closed
  }

  /** Fetches waiting right now (for tests and metrics). */
  get waiting(): number {
    return this.#all.size
  }

  /**
   * Resolves when `minBytes` more than `initialBytes` have been appended to the watched partitions, a watched
   * partition is invalidated, or `maxWaitMs` passes.
   */
  wait(keys: readonly string[], initialBytes: number, minBytes: number, maxWaitMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        keys,
        minBytes,
        accumulatedBytes: initialBytes,
        timer: null,
        done: false,
        resolve,
      }
      this.#all.add(waiter)
      for (const key of keys) {
        let set = this.#watchers.get(key)
        if (set === undefined) this.#watchers.set(key, (set = new Set()))
        set.add(waiter)
      }
      waiter.timer = this.#clock.setTimer(maxWaitMs, () => this.#complete(waiter))
    })
  }

  /** An append of `bytes` to the partition `key`. */
  onAppend(key: string, bytes: number): void {
    const set = this.#watchers.get(key)
    if (set === undefined) return
    for (const waiter of [...set]) {
      waiter.accumulatedBytes += bytes
      if (waiter.accumulatedBytes >= waiter.minBytes) this.#complete(waiter)
    }
  }

  /** The partition was deleted, truncated or changed leadership: its waiting fetches answer now. */
  invalidate(key: string): void {
    const set = this.#watchers.get(key)
    if (set === undefined) return
    for (const waiter of [...set]) this.#complete(waiter)
  }

  /** Completes every waiting fetch, now and from now on (shutdown). */
  completeAll(): void {
    this.#closed = true
    for (const waiter of [...this.#all]) this.#complete(waiter)
  }

  #complete(waiter: Waiter): void {
    if (waiter.done) return
    waiter.done = true
    this.#all.delete(waiter)
    if (waiter.timer !== null) this.#clock.clearTimer(waiter.timer)
    for (const key of waiter.keys) {
      const set = this.#watchers.get(key)
      set?.delete(waiter)
      if (set?.size === 0) this.#watchers.delete(key)
    }
    waiter.resolve()
  }
}
