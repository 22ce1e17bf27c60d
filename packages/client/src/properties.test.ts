// A client.properties file, as Kafka's tools take it, configures our clients unchanged.

import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { isSamsaError } from './errors.ts'
import { createProducer } from './producer/producer.ts'
import { readJavaProperties } from './properties.ts'
import { clientFixture } from './test-fixture.ts'
import { uniqueTopic } from './testing.ts'

const fx = clientFixture()

test('a producer.properties file configures a producer; its records arrive', { timeout: 20_000 }, async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'samsa-props-')), 'producer.properties')
  writeFileSync(
    file,
    [
      '# written for kafka-console-producer',
      `bootstrap.servers=${fx.broker.bootstrapServers}`,
      'acks = all',
      'linger.ms: 0',
      'compression.type=lz4',
      'client.id=props\\',
      '    -client',
    ].join('\n'),
  )
  const props = readJavaProperties(file)
  assert.equal(props['client.id'], 'props-client')
  const topic = uniqueTopic()
  await fx.admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  const producer = createProducer(props)
  try {
    const [sent] = await producer.send({ topic, messages: [{ value: 'from a properties file' }] })
    assert.equal(sent?.offset, 0n)
  } finally {
    await producer.close()
  }
})

test('an unreadable file and an unknown key are reported by name', () => {
  assert.throws(
    () => readJavaProperties('/nonexistent/client.properties'),
    (e) => isSamsaError(e) && /cannot read properties file \/nonexistent\/client.properties: ENOENT/.test(e.message),
  )
  const file = join(mkdtempSync(join(tmpdir(), 'samsa-props-')), 'bad.properties')
  writeFileSync(file, 'bootstrap.servers=localhost:9092\nlinger.msx=5\n')
  assert.throws(() => createProducer(readJavaProperties(file)), /"linger.msx" is not a producer option/)
})
