// De-duplication across a broker killed with SIGKILL: no clean-shutdown snapshot, so the restarted broker rebuilds
// producer state by replaying the log (Kafka's recovery path), and still answers retries with their original
// offsets; producer ids continue after the block the killed broker had recorded.

import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Connection } from '@samsa/net'
import { ErrorCode, InitProducerId, buildRecordBatch } from '@samsa/protocol'
import { createTopic, produce } from '../testing.ts'

const main = fileURLToPath(new URL('../main.ts', import.meta.url))

function startBrokerProcess(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_LOG_LEVEL: 'warn' }
  delete env.NODE_TEST_CONTEXT
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      main,
      'broker',
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--override',
      `log.dirs=${dataDir}`,
    ],
    { env },
  )
  return new Promise((resolve, reject) => {
    let stdout = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)
      if (match) resolve({ child, port: Number(match[1]) })
    })
    child.on('close', (code) => reject(new Error(`broker exited with ${code} before listening: ${stdout}`)))
  })
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('close', () => resolve())
    child.kill('SIGKILL')
  })
}

function idempotentBatch(producerId: bigint, baseSequence: number, value: string): Buffer {
  return buildRecordBatch({
    timestamp: Date.now(),
    producerId,
    producerEpoch: 0,
    baseSequence,
    records: [{ key: null, value: Buffer.from(value) }],
  })
}

test('a retry after SIGKILL and restart gets its original offset', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-idempotence-kill-'))
  let broker = await startBrokerProcess(dataDir)
  try {
    let conn = await Connection.connect({ host: '127.0.0.1', port: broker.port, clientId: 'kill-test' })
    await createTopic(conn, 'killed')
    const init = () => conn.request(InitProducerId, 4, InitProducerId.request.make({ transactionalId: null }))
    const { producerId } = await init()
    const batches = [0, 1, 2, 3].map((i) => idempotentBatch(producerId, i, `v${i}`))
    for (const b of batches) assert.equal((await produce(conn, 'killed', 0, Buffer.from(b))).errorCode, 0)
    conn.destroy()
    await kill(broker.child)
    assert.ok(!existsSync(join(dataDir, '.kafka_cleanshutdown')))
    assert.deepEqual(
      readdirSync(join(dataDir, 'killed-0')).filter((name) => name.endsWith('.snapshot')),
      [],
      'no snapshot: the restart must replay the log',
    )

    broker = await startBrokerProcess(dataDir)
    conn = await Connection.connect({ host: '127.0.0.1', port: broker.port, clientId: 'kill-test' })
    // Any of the last five batches is recognised after a replay of the log.
    assert.equal((await produce(conn, 'killed', 0, Buffer.from(batches[1] as Buffer))).baseOffset, 1n)
    assert.equal((await produce(conn, 'killed', 0, Buffer.from(batches[3] as Buffer))).baseOffset, 3n)
    const gap = await produce(conn, 'killed', 0, idempotentBatch(producerId, 7, 'gap'))
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal((await produce(conn, 'killed', 0, idempotentBatch(producerId, 4, 'v4'))).baseOffset, 4n)
    assert.ok((await init()).producerId >= producerId + 1000n, 'producer ids continue after the recorded block')
    conn.destroy()
  } finally {
    await kill(broker.child)
    rmSync(dataDir, { recursive: true, force: true })
  }
})
