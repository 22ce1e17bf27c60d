// configs, delete-records and get-offsets against an in-process broker, plus their golden layouts.

import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cliFixture, uniqueName } from '../testing.ts'
import type { Admin } from '@samsa/client'
import { captureIo } from '../io.ts'
import { alterQuotas, describeQuotas, quotaLine, quotaSelection } from './configs-quotas.ts'
import { configsCommand, describeHeader, describeLine, parseAddConfig } from './configs.ts'
import { parse } from '../args.ts'
import { parseOffsetJson } from './delete-records.ts'
import { parseTime, parseTopicPartitions } from './get-offsets.ts'

const cli = cliFixture()

test('golden: kafka-configs describe lines', () => {
  assert.equal(describeHeader({ type: 'topic', name: 't' }, false), 'Dynamic configs for topic t are:\n')
  assert.equal(describeHeader({ type: 'broker', name: '1' }, true), 'All configs for broker 1 are:\n')
  assert.equal(describeHeader({ type: 'broker', name: '' }, false), 'Default configs for brokers in the cluster are:\n')
  assert.equal(
    describeLine({
      name: 'retention.ms',
      value: '1000',
      source: 'DYNAMIC_TOPIC_CONFIG',
      isReadOnly: false,
      isSensitive: false,
      isDefault: false,
    }),
    '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n',
  )
  assert.deepEqual(parseAddConfig('a=1,b=[x,y],c=z'), { a: '1', b: 'x,y', c: 'z' })
  assert.throws(() => parseAddConfig('a'), /key=value/)
})

test('golden: quota lines; quota entities from the flags', () => {
  assert.equal(
    quotaLine({ user: 'alice', 'client-id': null }, { producer_byte_rate: 1024, request_percentage: 12.5 }),
    "Quota configs for user-principal 'alice', the default client-id are producer_byte_rate=1024.0, request_percentage=12.5\n",
  )
  const select = (argv: string[]) => [...quotaSelection(parse(configsCommand, argv))]
  assert.deepEqual(
    select(['--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-default']),
    [
      ['user', 'alice'],
      ['client-id', null],
    ],
  )
  assert.deepEqual(select(['--user', 'bob', '--client-defaults']), [
    ['user', 'bob'],
    ['client-id', null],
  ])
  assert.deepEqual(select(['--entity-type', 'users']), [['user', undefined]])
  assert.throws(() => select(['--ip', '1.2.3.4', '--user', 'x']), /ips cannot be combined/)
})

test('configs: alter and describe a topic’s configs; refused entity types are named', async () => {
  const topic = uniqueName('cfg')
  await cli.samsa(['topics', '--create', '--topic', topic])
  const altered = await cli.samsa([
    'configs',
    '--alter',
    '--entity-type',
    'topics',
    '--entity-name',
    topic,
    '--add-config',
    'retention.ms=3600000,cleanup.policy=[compact,delete]',
  ])
  assert.deepEqual([altered.code, altered.err], [0, ''])
  assert.equal(altered.out, `Completed updating config for topic ${topic}.\n`)

  const described = await cli.samsa(['configs', '--describe', '--topic', topic])
  assert.equal(
    described.out,
    `Dynamic configs for topic ${topic} are:\n` +
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete}\n' +
      '  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=3600000}\n',
  )
  const removed = await cli.samsa(['configs', '--alter', '--topic', topic, '--delete-config', 'retention.ms'])
  assert.equal(removed.code, 0, removed.err)
  const after = await cli.samsa(['configs', '--describe', '--topic', topic, '--output', 'json'])
  const [entity] = JSON.parse(after.out) as { configs: { name: string }[] }[]
  assert.deepEqual(
    entity?.configs.map((c) => c.name),
    ['cleanup.policy'],
  )
  const all = await cli.samsa(['configs', '--describe', '--topic', topic, '--all'])
  assert.match(all.out, /^All configs for topic/)
  assert.match(all.out, /segment\.bytes=\d+ sensitive=false synonyms=\{DEFAULT_CONFIG:/)

  const broker = await cli.samsa([
    'configs',
    '--describe',
    '--entity-type',
    'brokers',
    '--entity-name',
    String(cli.broker.nodeId),
    '--all',
  ])
  assert.equal(broker.code, 0, broker.err)
  assert.match(broker.out, new RegExp(`^All configs for broker ${cli.broker.nodeId} are:`))

  // Client quotas (KIP-546): set for a user and a user's client, then described back as kafka-configs prints them.
  const setUser = await cli.samsa([
    'configs',
    '--alter',
    '--entity-type',
    'users',
    '--entity-name',
    'alice',
    '--add-config',
    'producer_byte_rate=1024,consumer_byte_rate=2048',
  ])
  assert.equal(setUser.code, 0, setUser.err)
  const users = await cli.samsa(['configs', '--describe', '--entity-type', 'users', '--entity-name', 'alice'])
  assert.equal(users.code, 0, users.err)
  assert.match(users.out, /Quota configs for user-principal 'alice' are /)
  assert.match(users.out, /producer_byte_rate=1024\.0/)
  assert.match(users.out, /consumer_byte_rate=2048\.0/)
  const badKey = await cli.samsa([
    'configs',
    '--alter',
    '--entity-type',
    'clients',
    '--entity-name',
    'app',
    '--add-config',
    'no_such_quota=1',
  ])
  assert.equal(badKey.code, 1)
  assert.match(badKey.err, /no_such_quota/)
  const groups = await cli.samsa(['configs', '--describe', '--entity-type', 'groups'])
  assert.match(groups.err, /--entity-type groups is not supported yet/)
  const bad = await cli.samsa(['configs', '--alter', '--topic', topic, '--add-config', 'no.such.config=1'])
  assert.equal(bad.code, 1)
  assert.match(bad.err, /no\.such\.config|INVALID_CONFIG/)
})

test('delete-records and get-offsets', async () => {
  const topic = uniqueName('records')
  await cli.samsa(['topics', '--create', '--topic', topic, '--partitions', '2'])
  await cli.samsa(
    ['console-producer', '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'],
    {
      stdin: Array.from({ length: 20 }, (_, i) => `key-${i}:v${i}\n`).join(''),
    },
  )
  const latest = await cli.samsa(['get-offsets', '--topic', topic])
  const ends = latest.out.split('\n').filter(Boolean)
  assert.equal(ends.length, 2)
  assert.equal(ends[0]?.startsWith(`${topic}:0:`), true)
  const total = ends.reduce((sum, line) => sum + Number(line.split(':').at(-1)), 0)
  assert.equal(total, 20)
  const p0End = Number(ends[0]?.split(':').at(-1))

  const dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'))
  const file = join(dir, 'offsets.json')
  writeFileSync(file, JSON.stringify({ partitions: [{ topic, partition: 0, offset: 2 }], version: 1 }))
  const deleted = await cli.samsa(['delete-records', '--offset-json-file', file])
  assert.equal(deleted.code, 0, deleted.err)
  assert.equal(
    deleted.out,
    `Executing records delete operation\nRecords delete operation completed:\npartition: ${topic}-0\tlow_watermark: 2\n`,
  )
  const earliest = await cli.samsa(['get-offsets', '--topic', topic, '--time', '-2', '--partitions', '0'])
  assert.equal(earliest.out, `${topic}:0:2\n`)
  const ranged = await cli.samsa(['get-offsets', '--topic-partitions', `${topic}:0-1`, '--time', 'latest'])
  assert.equal(ranged.out, `${topic}:0:${p0End}\n`)
  const future = await cli.samsa([
    'get-offsets',
    '--topic',
    topic,
    '--time',
    String(Date.now() + 3_600_000),
    '--output',
    'json',
  ])
  assert.deepEqual(
    (JSON.parse(future.out) as { offset: string | null }[]).map((r) => r.offset),
    [null, null],
  )

  writeFileSync(file, JSON.stringify({ partitions: [{ topic, partition: 0, offset: 'x' }] }))
  const bad = await cli.samsa(['delete-records', '--offset-json-file', file])
  assert.equal(bad.code, 1)
  assert.match(bad.err, /partitions\[0\]\.offset/)
})

test('offset JSON, --time and --topic-partitions parsing', () => {
  assert.deepEqual(parseOffsetJson('{"partitions":[{"topic":"t","partition":1,"offset":-1}],"version":1}'), [
    { topic: 't', partition: 1, offset: -1n },
  ])
  assert.throws(
    () =>
      parseOffsetJson('{"partitions":[{"topic":"t","partition":1,"offset":1},{"topic":"t","partition":1,"offset":2}]}'),
    /duplicate/,
  )
  assert.equal(parseTime(undefined), 'latest')
  assert.equal(parseTime('-2'), 'earliest')
  assert.equal(parseTime('-3'), 'maxTimestamp')
  assert.deepEqual(parseTime('1700000000000'), { timestamp: 1700000000000 })
  assert.throws(() => parseTime('yesterday'), /--time must be/)
  const [sel] = parseTopicPartitions('t.*:1-3')
  assert.ok(sel?.topic.test('t1'))
  assert.deepEqual(
    [0, 1, 2, 3].map((p) => sel?.partitions?.(p)),
    [false, true, true, false],
  )
})

test('quota describe and alter map the flags onto the admin calls', async () => {
  const calls: unknown[] = []
  const admin = {
    describeClientQuotas: (request: unknown) => {
      calls.push(request)
      return Promise.resolve([{ entity: { user: 'alice' }, values: { consumer_byte_rate: 2048 } }])
    },
    alterClientQuotas: (request: unknown) => {
      calls.push(request)
      return Promise.resolve()
    },
  } as unknown as Admin
  const io = captureIo()
  const args = parse(configsCommand, ['--describe', '--user', 'alice'])
  assert.equal(await describeQuotas(admin, quotaSelection(args), args, io), 0)
  assert.equal(io.out(), "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0\n")
  assert.deepEqual(calls.shift(), { components: [{ entityType: 'user', match: 'alice' }], strict: true })

  const alter = parse(configsCommand, ['--alter', '--user-defaults'])
  await alterQuotas(admin, quotaSelection(alter), { producer_byte_rate: '1024' }, ['consumer_byte_rate'], alter, io)
  assert.deepEqual(calls.shift(), {
    entries: [
      {
        entity: { user: null },
        ops: [
          { key: 'producer_byte_rate', value: 1024 },
          { key: 'consumer_byte_rate', value: null },
        ],
      },
    ],
  })
  assert.match(io.out(), /Completed updating default config for users in the cluster\.\n$/)
  await assert.rejects(
    alterQuotas(admin, quotaSelection(alter), { producer_byte_rate: 'fast' }, [], alter, io),
    /quota producer_byte_rate must be a number/,
  )
  await assert.rejects(
    alterQuotas(admin, quotaSelection(alter), { connection_creation_rate: '1' }, [], alter, io),
    /not a quota of this entity/,
  )
})
