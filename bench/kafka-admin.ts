// Small socket helpers for benchmarks and crash tests that must not depend on the client package: wait for a port,
// pick a free port, and send one request over a fresh connection with the protocol codecs.

import { createConnection, createServer } from 'node:net'
import { CreateTopics, decodeResponseFrame, encodeRequestFrame, type ApiSchema } from '@samsa/protocol'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once a TCP connection to host:port succeeds; retries every 5 ms until `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Sends one request and returns the decoded response body. */
export function request<Rq, Rs>(
  host: string,
  port: number,
  api: ApiSchema<Rq, Rs>,
  version: number,
  body: Rq,
): Promise<Rs> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port })
    let pending = Buffer.alloc(0)
    socket.once('error', reject)
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      if (pending.length < 4) return
      const size = pending.readInt32BE(0)
      if (pending.length < 4 + size) return
      socket.destroy()
      try {
        resolve(decodeResponseFrame(api, version, pending.subarray(4, 4 + size)).body)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
    socket.write(Buffer.concat(encodeRequestFrame(api, version, { correlationId: 1, clientId: 'samsa-bench' }, body)))
  })
}

export async function createTopics(
  host: string,
  port: number,
  topics: { name: string; partitions: number }[],
): Promise<void> {
  const response = await request(
    host,
    port,
    CreateTopics,
    5,
    CreateTopics.request.make({
      topics: topics.map((t) => ({ name: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
      timeoutMs: 30_000,
    }),
  )
  for (const t of response.topics) {
    if (t.errorCode !== 0 && t.errorCode !== 36)
      throw new Error(`CreateTopics ${t.name}: error ${t.errorCode} ${t.errorMessage ?? ''}`)
  }
}
