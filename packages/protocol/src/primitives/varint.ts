// Variable-length integers. Two families that must not be mixed up:
// - unsigned varints (protobuf style): compact lengths and tags of flexible protocol versions (KIP-482);
// - zigzag varints/varlongs (protobuf sint32/sint64): every variable-length field inside a v2 record.
// Varlongs use Number arithmetic on 32-bit halves, never BigInt: record timestamps are well below 2^53 and
// BigInt varlongs are an order of magnitude slower (LIMITS.md §3.4).

/** Bytes needed for an unsigned varint holding a non-negative int32 (0 ≤ n < 2^32). */
export function uvarintSize(n: number): number {
  if (n < 0x80) return 1
  if (n < 0x4000) return 2
  if (n < 0x200000) return 3
  if (n < 0x10000000) return 4
  return 5
}

export function writeUVarint(buf: Buffer, offset: number, n: number): number {
  let v = n >>> 0
  while (v >= 0x80) {
    buf[offset++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buf[offset++] = v
  return offset
}

export function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0
}

export function unzigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1)
}

/** Bytes needed for a zigzag varint holding an int32. */
export function varintSize(n: number): number {
  return uvarintSize(zigzag32(n))
}

export function writeVarint(buf: Buffer, offset: number, n: number): number {
  return writeUVarint(buf, offset, zigzag32(n))
}

const TWO_32 = 4294967296

/**
 * Zigzag of a safe integer as exact (low, high) uint32 halves, written into `out`. zigzag(n) is 2n for n ≥ 0 and
 * 2|n| − 1 for n < 0; it can need 54 bits, so it is built from |n|'s halves instead of as a double.
 */
function zigzag64Halves(n: number, out: Uint32Array): void {
  const m = n < 0 ? -n : n
  const mLo = m % TWO_32
  const mHi = (m - mLo) / TWO_32
  let lo = (mLo * 2) % TWO_32
  let hi = mHi * 2 + (mLo >= 0x80000000 ? 1 : 0)
  if (n < 0) {
    if (lo === 0) {
      lo = 0xffffffff
      hi -= 1
    } else lo -= 1
  }
  out[0] = lo
  out[1] = hi
}

const halves = new Uint32Array(2)

export function varlongSize(n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return varintSize(n)
  zigzag64Halves(n, halves)
  const hi = halves[1] as number
  // 32 low bits need ≥5 groups; each further 7 bits of the high half adds a byte.
  let size = 5
  let rest = hi >>> 3
  while (rest > 0) {
    size++
    rest >>>= 7
  }
  return size
}

export function writeVarlong(buf: Buffer, offset: number, n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return writeVarint(buf, offset, n)
  zigzag64Halves(n, halves)
  let lo = halves[0] as number
  let hi = halves[1] as number
  // Emit 7 bits at a time from the 64-bit value (hi:lo) until it fits in 7 bits.
  while (hi > 0 || lo >= 0x80) {
    buf[offset++] = (lo & 0x7f) | 0x80
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0
    hi >>>= 7
  }
  buf[offset++] = lo
  return offset
}
