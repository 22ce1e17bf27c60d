// Small helpers of UnifiedLog, kept apart so the log's own file stays about the log.

/** Binary search: the index of the last segment whose base offset is ≤ offset (0 if none is). */
export function segmentIndexFor(segments: readonly { readonly baseOffset: bigint }[], offset: bigint): number {
  let low = 0
  let high = segments.length - 1
  let found = 0
  while (low <= high) {
    const middle = (low + high) >>> 1
    if ((segments[middle] as { baseOffset: bigint }).baseOffset <= offset) {
      found = middle
      low = middle + 1
    } else {
      high = middle - 1
    }
  }
  return found
}

/** The default for background failures when nobody listens: surface them as an uncaught error, never swallow. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error
  })
}
