// Test helpers (not exported by the package): an in-process broker in a fresh temp dir, and unique topic names.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, startBroker, type RunningBroker } from '@samsa/broker'

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
