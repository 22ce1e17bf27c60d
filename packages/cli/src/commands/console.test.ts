import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ConsumerMessage } from '@samsa/client'
import { cliFixture, uniqueName } from '../testing.ts'
import { formatRecord, formatterSettings } from './console-consumer.ts'
import { lineReaderSettings, parseLine } from './console-producer.ts'

const cli = cliFixture()

const record: ConsumerMessage = {
  topic: 't',
  partition: 2,
  offset: 41n,
  timestamp: 1700000000000,
  key: Buffer.from('k1'),
  value: Buffer.from('v1'),
  headers: [
    { key: 'h1', value: Buffer.from('x') },
    { key: 'h2', value: null },
  ],
  leaderEpoch: 0,
}

test('golden: records print as Kafka’s DefaultMessageFormatter prints them', () => {
  assert.equal(formatRecord(record, formatterSettings({})), 'v1\n')
  assert.equal(formatRecord(record, formatterSettings({ 'print.key': 'true' })), 'k1\tv1\n')
  assert.equal(
    formatRecord(
      record,
      formatterSettings({
        'print.timestamp': 'true',
        'print.partition': 'true',
        'print.offset': 'true',
        'print.headers': 'true',
        'print.key': 'true',
      }),
    ),
    'CreateTime:1700000000000\tPartition:2\tOffset:41\th1:x,h2:null\tk1\tv1\n',
  )
  assert.equal(
    formatRecord(
      { ...record, key: null, headers: [] },
      formatterSettings({ 'print.key': 'true', 'print.headers': 'true', 'key.separator': ' | ' }),
    ),
    'NO_HEADERS | null | v1\n',
  )
  assert.equal(
    formatRecord(record, formatterSettings({ 'print.value': 'false', 'print.offset': 'true' })),
    'Offset:41\n',
  )
})

test('lines parse as Kafka’s LineMessageReader parses them', () => {
  const plain = lineReaderSettings({})
  assert.deepEqual(parseLine('a:b', plain, 1), { value: 'a:b' })
  const keyed = lineReaderSettings({ 'parse.key': 'true', 'key.separator': ':' })
  assert.deepEqual(parseLine('user1:red', keyed, 1), { key: 'user1', value: 'red' })
  assert.deepEqual(parseLine('user1:a:b', keyed, 1), { key: 'user1', value: 'a:b' })
  assert.throws(() => parseLine('nokey', keyed, 7), /No key separator found on line number 7/)
  const headed = lineReaderSettings({ 'parse.headers': 'true', 'parse.key': 'true', 'null.marker': '<null>' })
  assert.deepEqual(parseLine('h1:v1,h2:<null>\tk\t<null>', headed, 1), {
    headers: [
      { key: 'h1', value: 'v1' },
      { key: 'h2', value: null },
    ],
    key: 'k',
    value: null,
  })
})

test('console-producer then console-consumer round-trip keys, values and partitions', async () => {
  const topic = uniqueName('console')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic, '--partitions', '2'])).code, 0)
  const produced = await cli.samsa(
    ['console-producer', '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'],
    { stdin: ['alice:red\nbob:blue\n', 'carol:green'] },
  )
  assert.deepEqual([produced.code, produced.out, produced.err], [0, '', ''])

  const consumed = await cli.samsa([
    'console-consumer',
    '--topic',
    topic,
    '--from-beginning',
    '--max-messages',
    '3',
    '--property',
    'print.key=true',
    '--property',
    'key.separator=:',
  ])
  assert.equal(consumed.code, 0, consumed.err)
  assert.deepEqual(consumed.out.trimEnd().split('\n').sort(), ['alice:red', 'bob:blue', 'carol:green'])
  assert.equal(consumed.err, 'Processed a total of 3 messages\n')

  // One partition from an offset; --timeout-ms ends the read once nothing more arrives.
  const p = await cli.samsa([
    'console-consumer',
    '--topic',
    topic,
    '--partition',
    '0',
    '--offset',
    '0',
    '--timeout-ms',
    '300',
    '--property',
    'print.partition=true',
  ])
  assert.equal(p.code, 0, p.err)
  const lines = p.out.split('\n').filter(Boolean)
  assert.ok(lines.every((l) => l.startsWith('Partition:0\t')))
  assert.equal(
    p.err,
    `ERROR Error processing message, terminating consumer process: TimeoutException\nProcessed a total of ${lines.length} messages\n`,
  )

  const asJson = await cli.samsa([
    'console-consumer',
    '--topic',
    topic,
    '--from-beginning',
    '--max-messages',
    '3',
    '--output',
    'json',
  ])
  const rows = JSON.parse(asJson.out) as { key: string; offset: string }[]
  assert.deepEqual(rows.map((r) => r.key).sort(), ['alice', 'bob', 'carol'])
  assert.equal(typeof rows[0]?.offset, 'string')
})

test('console-producer reads --file, takes producer settings, and reports bad ones by name', async () => {
  const topic = uniqueName('file')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic])).code, 0)
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'))
  const file = join(dir, 'lines.txt')
  writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line-${i}`).join('\n') + '\n')
  const config = join(dir, 'producer.properties')
  writeFileSync(config, 'linger.ms=5\nacks=1\n')
  const produced = await cli.samsa([
    'console-producer',
    '--topic',
    topic,
    '--file',
    file,
    '--producer.config',
    config,
    '--compression-codec',
    '--request-required-acks',
    'all',
    '--producer-property',
    'batch.size=1000',
  ])
  assert.deepEqual([produced.code, produced.err], [0, ''])
  const consumed = await cli.samsa(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', '100'])
  assert.equal(consumed.out.split('\n').filter(Boolean).length, 100)
  assert.equal(consumed.out.split('\n')[99], 'line-99')

  const old = await cli.samsa(['console-producer', '--topic', topic, '--broker-list', cli.bootstrap], {
    stdin: 'via broker-list\n',
    noBootstrap: true,
  })
  assert.equal(old.code, 0, old.err)

  const bad = await cli.samsa(['console-producer', '--topic', topic, '--producer-property', 'linger.ms=soon'], {
    stdin: 'x\n',
  })
  assert.equal(bad.code, 1)
  assert.match(bad.err, /linger\.ms/)
  const codec = await cli.samsa(['console-producer', '--topic', topic, '--compression-codec', 'brotli'], { stdin: '' })
  assert.equal(codec.code, 1)
  assert.match(codec.err, /--compression-codec must be one of/)
  const noTopic = await cli.samsa(['console-consumer', '--from-beginning'])
  assert.match(noTopic.err, /--topic or --include/)
})

test('console-consumer --group commits what it printed and resumes there', async () => {
  const topic = uniqueName('grouped')
  const group = uniqueName('g')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic])).code, 0)
  await cli.samsa(['console-producer', '--topic', topic], { stdin: 'a\nb\nc\nd\ne\n' })
  const first = await cli.samsa([
    'console-consumer',
    '--topic',
    topic,
    '--group',
    group,
    '--from-beginning',
    '--max-messages',
    '2',
  ])
  assert.equal(first.out, 'a\nb\n')
  const rest = await cli.samsa(['console-consumer', '--topic', topic, '--group', group, '--max-messages', '3'])
  assert.equal(rest.out, 'c\nd\ne\n')
})

test('console-consumer stops on its abort signal (Ctrl-C) and prints the total', async () => {
  const topic = uniqueName('abort')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic])).code, 0)
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 200)
  const result = await cli.samsa(['console-consumer', '--topic', topic], { signal: controller.signal })
  assert.equal(result.code, 0)
  assert.equal(result.err, 'Processed a total of 0 messages\n')
})

test('console-producer stops reading on its abort signal and delivers what it read', async () => {
  const topic = uniqueName('typed')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic])).code, 0)
  const controller = new AbortController()
  // A terminal: one line typed, then nothing until Ctrl-C.
  async function* typing() {
    yield 'typed line\n'
    await new Promise((resolve) => setTimeout(resolve, 10_000_000).unref())
  }
  setTimeout(() => controller.abort(), 200)
  const produced = await cli.samsa(['console-producer', '--topic', topic, '--timeout', '0'], {
    stdin: typing(),
    signal: controller.signal,
  })
  assert.equal(produced.code, 0, produced.err)
  const consumed = await cli.samsa(['console-consumer', '--topic', topic, '--from-beginning', '--max-messages', '1'])
  assert.equal(consumed.out, 'typed line\n')
})

test('console-consumer stops at once when Ctrl-C came before it started', async () => {
  const topic = uniqueName('early')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic])).code, 0)
  const controller = new AbortController()
  controller.abort()
  const result = await cli.samsa(['console-consumer', '--topic', topic], { signal: controller.signal })
  assert.deepEqual([result.code, result.err], [0, 'Processed a total of 0 messages\n'])
})
