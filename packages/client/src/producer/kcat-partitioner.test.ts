// Our default partitioner against librdkafka's: kcat produces keyed records with partitioner=murmur2_random (the
// Java client's partitioning, which librdkafka reimplements), our consumer reads where each landed, and every key
// must sit on the partition our keyPartition() computes. Skipped when kcat is not installed.

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { createAdmin } from '../admin/admin.ts'
import { createConsumer } from '../consumer/consumer.ts'
import { startTestBroker, uniqueTopic } from '../testing.ts'
import { keyPartition } from './murmur2.ts'

const hasKcat = spawnSync('kcat', ['-V']).status === 0

test('keys land where librdkafka murmur2_random puts them', { skip: !hasKcat, timeout: 30_000 }, async () => {
  const broker = await startTestBroker()
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
  const consumer = createConsumer({ bootstrapServers: broker.bootstrapServers, fetchMaxWaitMs: 100 })
  const numPartitions = 7
  try {
    const topic = uniqueTopic()
    await admin.createTopics({ topics: [{ topic, numPartitions }] })
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'foobar',
      '21',
      'user-42',
      'ключ',
      ...Array.from({ length: 40 }, (_, i) => `k${i * 7919}`),
    ]
    // An empty key is a zero-length key, not a null one, for kcat -K: too.
    const kcat = spawn(
      'kcat',
      ['-b', broker.bootstrapServers, '-P', '-t', topic, '-K:', '-X', 'partitioner=murmur2_random'],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    )
    let stderr = ''
    kcat.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    kcat.stdin.end(keys.map((k) => `${k}:value of ${k}\n`).join(''))
    const [code] = (await once(kcat, 'exit')) as [number]
    assert.equal(code, 0, stderr)

    consumer.assign(Array.from({ length: numPartitions }, (_, partition) => ({ topic, partition, offset: 0n })))
    const landed = new Map<string, number>()
    for await (const message of consumer) {
      landed.set(message.key?.toString() ?? '<null>', message.partition)
      if (landed.size === keys.length) break
    }
    for (const key of keys) assert.equal(landed.get(key), keyPartition(Buffer.from(key), numPartitions), `key "${key}"`)
  } finally {
    await consumer.close()
    await admin.close()
    await broker.stop()
  }
})
