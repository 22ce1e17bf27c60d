// CRC-32C (Castagnoli), the checksum of v2 record batches. The napi-rs addon runs at about 6 GB/s on large
// buffers against 1.3 GB/s for the best pure-JS table code (LIMITS.md §3.1), so every batch CRC goes through it.
//
// The addon loads on the first CRC rather than at import: imported statically (ESM importing a CommonJS addon) it
// cost ~20 ms of the broker's cold start, before any batch exists to check; required lazily it costs ~6 ms once.

import { createRequire } from 'node:module'
import type * as Crc32 from '@node-rs/crc32'

const require = createRequire(import.meta.url)
let nativeCrc32c: typeof Crc32.crc32c | undefined
const native = (): typeof Crc32.crc32c => (nativeCrc32c ??= (require('@node-rs/crc32') as typeof Crc32).crc32c)

/**
 * CRC-32C of `data` as an unsigned 32-bit number. `initial` is a previous result, so a CRC over several
 * buffers can be chained: crc32c(b, crc32c(a)) === crc32c(a ‖ b).
 */
export function crc32c(data: Uint8Array, initial = 0): number {
  return (nativeCrc32c ?? native())(data, initial)
}

/** CRC-32C of buf[start, end) without the caller having to slice. */
export function crc32cRange(buf: Buffer, start: number, end: number): number {
  return (nativeCrc32c ?? native())(buf.subarray(start, end), 0)
}
