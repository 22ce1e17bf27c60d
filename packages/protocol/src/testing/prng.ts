// xorshift32: a tiny deterministic generator for fuzz tests, so a failure can be replayed from its seed.

/** Returns a generator of uint32 values; the same seed always gives the same sequence (seed 0 is treated as 1). */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state
  }
}
