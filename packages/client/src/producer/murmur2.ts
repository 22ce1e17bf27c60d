// MurmurHash2, 32-bit, exactly as Kafka's Java client computes it (org.apache.kafka.common.utils.Utils.murmur2):
// seed 0x9747b28c, little-endian 4-byte blocks, the tail folded in from its highest byte down. Keyed records land
// on toPositive(murmur2(keyBytes)) % numPartitions, so every client that follows Java puts a key on the same
// partition; librdkafka's murmur2_random partitioner does the same.

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const blocks = length >>> 2
  for (let i = 0; i < blocks; i++) {
    const at = i * 4
    let k = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24) | 0
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M)
    h ^= k
  }
  // The tail bytes, highest first, as Java's switch with fall-through does.
  const tail = length & ~3
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2]! << 16
  if (rest >= 2) h ^= data[tail + 1]! << 8
  if (rest >= 1) {
    h ^= data[tail]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which would fold two hashes onto one). */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}

/** The partition Java's default partitioner picks for a keyed record. */
export function keyPartition(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions
}
