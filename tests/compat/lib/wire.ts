// What the broker stores, seen through plain Fetch v4 requests (our own protocol codecs, one socket, no client
// library): the magic and compression codec of every record batch. This catches a client that silently sends
// uncompressed or old-format batches, e.g. librdkafka before 2.11 drops compression when the broker does not
// advertise Produce v0 (KAFKA-18659), and consuming the records back would never notice.

import assert from 'node:assert/strict'
import { Connection } from '@samsa/net'
import { Fetch, splitBatches } from '@samsa/protocol'

export interface StoredBatch {
  partition: number
  baseOffset: bigint
  magic: number
  compression: number
  control: boolean
}

const FETCH_VERSION = 4 // topic names, isolation level; every broker and the mock have it
const PARTITION_MAX_BYTES = 1 << 20

/** Every batch of partitions 0..partitions-1, read from offset 0 up to the high watermark. */
export async function storedBatches(
  host: string,
  port: number,
  topic: string,
  partitions: number,
): Promise<StoredBatch[]> {
  const connection = await Connection.connect({ host, port, clientId: 'samsa-compat-inspector' })
  const out: StoredBatch[] = []
  try {
    for (let partition = 0; partition < partitions; partition++) {
      let offset = 0n
      for (;;) {
        const response = await connection.request(
          Fetch,
          FETCH_VERSION,
          Fetch.request.make({
            maxWaitMs: 0,
            minBytes: 0,
            maxBytes: PARTITION_MAX_BYTES,
            topics: [
              { topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: PARTITION_MAX_BYTES }] },
            ],
          }),
        )
        const result = response.responses[0]?.partitions[0]
        if (!result) throw new Error(`Fetch ${topic}/${partition}: no partition in the response`)
        if (result.errorCode !== 0)
          throw new Error(`Fetch ${topic}/${partition}@${offset}: error code ${result.errorCode}`)
        if (offset >= result.highWatermark) break
        const batches = result.records ? splitBatches(result.records).batches : []
        if (batches.length === 0)
          throw new Error(`Fetch ${topic}/${partition}@${offset}: no complete batch below the high watermark`)
        for (const batch of batches) {
          if (batch.nextOffset <= offset) continue
          out.push({
            partition,
            baseOffset: batch.baseOffset,
            magic: batch.magic,
            compression: batch.compression,
            control: batch.isControlBatch,
          })
          offset = batch.nextOffset
        }
      }
    }
  } finally {
    connection.destroy()
  }
  return out
}

/**
 * Every batch is a v2 batch with the chosen codec or none. librdkafka and kafka-python send a batch uncompressed
 * when compressing does not make it smaller, so codec 0 may appear beside the chosen one; a client that never
 * compresses (e.g. because the broker's ApiVersions failed its compression feature checks) has no batch with the
 * chosen codec and fails here.
 */
export function verifyStoredBatches(batches: readonly StoredBatch[], codec: number): void {
  const kinds = new Map<string, number>()
  for (const b of batches) {
    const kind = `magic ${b.magic} codec ${b.compression}${b.control ? ' control' : ''}`
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  const want = `magic 2 codec ${codec}`
  const allowed = new Set([want, 'magic 2 codec 0'])
  const ok = kinds.has(want) && [...kinds.keys()].every((k) => allowed.has(k))
  assert.ok(ok, `stored batches by kind: ${JSON.stringify(Object.fromEntries(kinds))}, expected ${want}`)
}
