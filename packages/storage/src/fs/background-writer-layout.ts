// The shared memory between background-writer.ts and its thread (background-writer-worker.ts).

/** Control words (Int32Array): counts wrap as int32 and are compared by difference. */
export const CONTROL = {
  /** Descriptors submitted so far. */
  SUBMITTED: 0,
  /** Descriptors written (or skipped after a failure) so far. */
  DONE: 1,
  /** Non-zero: exit once everything submitted is done. */
  STOP: 2,
  /** Set by the thread before it marks a failed write done, so a synchronous drain sees the failure at once. */
  FAILED: 3,
} as const
export const CONTROL_WORDS = 4

/**
 * Descriptor slots (a power of two), each of SLOT_FIELDS float64s: fd, file position, ring offset, length, direct fd
 * (-1: none), and 1 when the ring span is laid out for an O_DIRECT write in place (BackgroundWriter.reserveForDirect).
 */
export const SLOTS = 4096
export const SLOT_FIELDS = 6

export interface BackgroundWriterMemory {
  ring: SharedArrayBuffer
  slots: SharedArrayBuffer
  control: SharedArrayBuffer
}
