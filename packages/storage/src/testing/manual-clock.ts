// A Clock that moves only when a test says so. Timers fire in due order inside advance(), each seeing now() equal
// to its due time, so a test reads like a timeline: "append, advance 10 minutes, expect the segment gone".

import type { Clock, TimerHandle } from '../clock.ts'

interface PendingTimer {
  readonly id: number
  readonly dueMs: number
  readonly callback: () => void
}

export class ManualClock implements Clock {
  #nowMs: number
  #nextId = 1
  #timers = new Map<number, PendingTimer>()

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs
  }

  now(): number {
    return this.#nowMs
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++
    this.#timers.set(id, { id, dueMs: this.#nowMs + Math.max(0, delayMs), callback })
    return id
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers.delete(handle as number)
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.size
  }

  /** Moves time forward by `ms`, firing every timer that comes due (including timers set by those timers). */
  advance(ms: number): void {
    const targetMs = this.#nowMs + ms
    for (;;) {
      const next = this.#earliestDue(targetMs)
      if (next === undefined) break
      this.#timers.delete(next.id)
      this.#nowMs = Math.max(this.#nowMs, next.dueMs)
      next.callback()
    }
    this.#nowMs = targetMs
  }

  #earliestDue(limitMs: number): PendingTimer | undefined {
    let earliest: PendingTimer | undefined
    for (const timer of this.#timers.values()) {
      if (timer.dueMs > limitMs) continue
      if (earliest === undefined || timer.dueMs < earliest.dueMs) earliest = timer
    }
    return earliest
  }
}
