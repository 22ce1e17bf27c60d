// Test helpers (not exported by the package): an in-process broker in a fresh temp dir, a scripted fake broker for
// what the real one cannot do yet, and unique topic names.

import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, startBroker, type RunningBroker } from '@samsa/broker'
import { FrameDecoder } from '@samsa/net'
import { encodeResponseFrame, type ApiSchema } from '@samsa/protocol'

export interface TestBroker {
  broker: RunningBroker
  dir: string
  bootstrapServers: string
  /** Stops the broker; `keepData` leaves the log dir for a restart. */
  stop(keepData?: boolean): Promise<void>
}

export async function startTestBroker(
  options: { dir?: string; port?: number; config?: Record<string, string | number | boolean> } = {},
): Promise<TestBroker> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'samsa-client-'))
  const broker = await startBroker({
    logger: silentLogger,
    host: '127.0.0.1',
    port: options.port ?? 0,
    config: { 'log.dirs': dir, 'num.partitions': 1, ...options.config },
  })
  return {
    broker,
    dir,
    bootstrapServers: `127.0.0.1:${broker.port}`,
    async stop(keepData = false) {
      await broker.close()
      if (!keepData) rmSync(dir, { recursive: true, force: true })
    },
  }
}

let counter = 0
export function uniqueTopic(prefix = 'topic'): string {
  counter++
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}

export interface SeenRequest {
  apiKey: number
  version: number
  correlationId: number
  /** The whole request frame (without its size prefix). */
  frame: Buffer
  reply<Rs>(api: ApiSchema<unknown, Rs>, version: number, body: Rs): void
}

/** A server that hands every request frame to `onRequest`, which answers when it likes. */
export async function startFakeBroker(
  onRequest: (request: SeenRequest) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    const decoder = new FrameDecoder(1 << 20)
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const correlationId = frame.readInt32BE(4)
        onRequest({
          apiKey: frame.readInt16BE(0),
          version: frame.readInt16BE(2),
          correlationId,
          frame,
          reply: (api, version, body) => {
            for (const part of encodeResponseFrame(api, version, correlationId, body)) socket.write(part)
          },
        })
      }
    })
    socket.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port }
}
