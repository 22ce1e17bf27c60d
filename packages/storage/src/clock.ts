// Time as the storage package sees it. Domain code never calls Date.now() or setTimeout directly: the log
// manager's timers (retention, cleaner, checkpoints, flush.ms) all go through a Clock, so tests drive them with a
// ManualClock and no test ever sleeps.

/** An opaque handle returned by setTimer. */
export type TimerHandle = object | number

export interface Clock {
  /** Milliseconds since the epoch (what Kafka's Time.milliseconds() returns). */
  now(): number
  /** Runs `callback` once, `delayMs` from now. */
  setTimer(delayMs: number, callback: () => void): TimerHandle
  clearTimer(handle: TimerHandle): void
}

/** The real clock: the one place where the package touches Date.now() and setTimeout. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), MAX_TIMEOUT_MS))
    // Storage housekeeping must never keep a process alive on its own.
    timer.unref()
    return timer
  },
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

/** setTimeout fires immediately for delays above 2^31-1 ms, so longer delays are capped (they re-arm anyway). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1
