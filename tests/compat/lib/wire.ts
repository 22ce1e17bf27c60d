// What the broker stores, seen through plain Fetch v4 requests (our own protocol codecs, one socket, no client
// library): the magic and compression codec of every record batch. This catches a client that silently sends
// uncompressed or old-format batches, e.g. librdkafka before 2.11 drops compression when the broker does not
// advertise Produce v0 (KAFKA-18659), and consuming the records back would never notice.

import assert from 'node:assert/strict'
import { createConnection, type Socket } from 'node:net'
import { decodeResponseFrame, encodeRequestFrame, Fetch, splitBatches, type ApiSchema } from '@samsa/protocol'

export interface StoredBatch {
  partition: number
  baseOffset: bigint
  magic: number
  compression: number
  control: boolean
}

const FETCH_VERSION = 4 // topic names, isolation level; every broker and the mock have it
const PARTITION_MAX_BYTES = 1 << 20

class Connection {
  private readonly socket: Socket
  private buffered = Buffer.alloc(0)
  private readonly waiting: { resolve: (frame: Buffer) => void; reject: (error: Error) => void }[] = []
  private failure: Error | undefined
  private correlationId = 0

  constructor(host: string, port: number) {
    this.socket = createConnection({ host, port })
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0)
        const frame = this.buffered.subarray(4, 4 + size)
        this.buffered = this.buffered.subarray(4 + size)
        this.waiting.shift()?.resolve(frame)
      }
    })
    const fail = (error: Error): void => {
      this.failure ??= error
      for (const w of this.waiting.splice(0)) w.reject(this.failure)
    }
    this.socket.on('error', fail)
    this.socket.on('close', () => fail(new Error('the broker closed the connection')))
  }

  async request<Rq, Rs>(api: ApiSchema<Rq, Rs>, version: number, body: Rq): Promise<Rs> {
    if (this.failure) throw this.failure
    const correlationId = ++this.correlationId
    const frame = await new Promise<Buffer>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      for (const part of encodeRequestFrame(
        api,
        version,
        { correlationId, clientId: 'samsa-compat-inspector' },
        body,
      )) {
        this.socket.write(part)
      }
    })
    const response = decodeResponseFrame(api, version, frame)
    if (response.correlationId !== correlationId)
      throw new Error(`correlation id ${response.correlationId} != ${correlationId}`)
    return response.body
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Every batch of partitions 0..partitions-1, read from offset 0 up to the high watermark. */
export async function storedBatches(
  host: string,
  port: number,
  topic: string,
  partitions: number,
): Promise<StoredBatch[]> {
  const connection = new Connection(host, port)
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
    connection.close()
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
