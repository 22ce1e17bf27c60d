import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cliFixture, runCli, uniqueName } from '../testing.ts'
import { formatPartitionLine, formatTopicLine, parseReplicaAssignment, topicFilter } from './topics.ts'

const cli = cliFixture()

test('golden: the describe layout is Kafka TopicCommand’s, tab-separated', () => {
  const row = {
    topic: 'orders',
    topicId: 'Ju4tlk0dR2mq2tmXx8mGOQ',
    partitionCount: 2,
    replicationFactor: 1,
    configs: { 'cleanup.policy': 'compact', 'retention.ms': '1000' },
    partitions: [],
  }
  assert.equal(
    formatTopicLine(row),
    'Topic: orders\tTopicId: Ju4tlk0dR2mq2tmXx8mGOQ\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=1000\n',
  )
  assert.equal(
    formatTopicLine({ ...row, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', configs: {} }),
    'Topic: orders\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \n',
  )
  assert.equal(
    formatPartitionLine('orders', { partition: 1, leader: 2, replicas: [2, 3], isr: [2] }),
    '\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2\tElr: N/A\tLastKnownElr: N/A\n',
  )
  assert.equal(
    formatPartitionLine('orders', { partition: 0, leader: -1, replicas: [1], isr: [] }),
    '\tTopic: orders\tPartition: 0\tLeader: none\tReplicas: 1\tIsr: \tElr: N/A\tLastKnownElr: N/A\n',
  )
})

test('--topic is a whole-name regular expression and commas mean "or", as Kafka’s IncludeList', () => {
  assert.ok(topicFilter('metric.*').test('metric.cpu'))
  assert.ok(!topicFilter('metric').test('metric.cpu'))
  assert.ok(topicFilter('a,b').test('b'))
  assert.ok(topicFilter('"a"').test('a'))
  assert.deepEqual(parseReplicaAssignment('1:2,2:1'), [
    [1, 2],
    [2, 1],
  ])
  assert.throws(() => parseReplicaAssignment('1:1'), /twice/)
  assert.throws(() => parseReplicaAssignment('1:2,3'), /same number/)
})

test('create, list, describe, alter and delete against a broker', async () => {
  const topic = uniqueName('orders')
  const created = await cli.samsa([
    'topics',
    '--create',
    '--topic',
    topic,
    '--partitions',
    '3',
    '--replication-factor',
    '1',
    '--config',
    'cleanup.policy=compact',
    '--config',
    'retention.ms=86400000',
  ])
  assert.equal(created.err, '')
  assert.equal(created.code, 0)
  assert.equal(created.out, `Created topic ${topic}.\n`)

  const listed = await cli.samsa(['topics', '--list'])
  assert.ok(listed.out.split('\n').includes(topic))

  const described = await cli.samsa(['topics', '--describe', '--topic', topic])
  assert.equal(described.code, 0)
  const lines = described.out.trimEnd().split('\n')
  assert.equal(lines.length, 4)
  assert.match(
    lines[0]!,
    new RegExp(
      `^Topic: ${topic}\\tTopicId: [A-Za-z0-9_-]{22}\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: (.*)$`,
    ),
  )
  assert.match(lines[0]!, /cleanup\.policy=compact/)
  assert.match(lines[0]!, /retention\.ms=86400000/)
  for (let p = 0; p < 3; p++) {
    assert.match(
      lines[p + 1]!,
      new RegExp(`^\\tTopic: ${topic}\\tPartition: ${p}\\tLeader: \\d+\\tReplicas: \\d+\\tIsr: \\d+\\tElr: N/A`),
    )
  }

  const asJson = await cli.samsa(['topics', '--describe', '--topic', topic, '--output', 'json'])
  const [row] = JSON.parse(asJson.out) as { partitionCount: number; configs: Record<string, string> }[]
  assert.equal(row?.partitionCount, 3)
  assert.equal(row?.configs['cleanup.policy'], 'compact')

  const overrides = await cli.samsa(['topics', '--describe', '--topics-with-overrides', '--topic', topic])
  assert.equal(overrides.out.split('\n').filter(Boolean).length, 1)

  const healthy = await cli.samsa(['topics', '--describe', '--under-replicated-partitions', '--topic', topic])
  assert.equal(healthy.out, '')
  assert.equal((await cli.samsa(['topics', '--describe', '--unavailable-partitions', '--topic', topic])).out, '')
  // min.insync.replicas defaults to 1 and the ISR is the single broker: every partition is at its minimum.
  const atMin = await cli.samsa(['topics', '--describe', '--at-min-isr-partitions', '--topic', topic])
  assert.equal(atMin.out.split('\n').filter(Boolean).length, 3)

  const altered = await cli.samsa(['topics', '--alter', '--topic', topic, '--partitions', '5'])
  assert.equal(altered.code, 0, altered.err)
  const after = await cli.samsa(['topics', '--describe', '--topic', topic, '--output', 'json'])
  assert.equal((JSON.parse(after.out) as { partitionCount: number }[])[0]?.partitionCount, 5)

  const deleted = await cli.samsa(['topics', '--delete', '--topic', topic])
  assert.equal(deleted.code, 0, deleted.err)
  assert.ok(!(await cli.samsa(['topics', '--list'])).out.split('\n').includes(topic))
})

test('--if-not-exists and --if-exists; errors name the problem and exit 1', async () => {
  const topic = uniqueName('once')
  assert.equal((await cli.samsa(['topics', '--create', '--topic', topic])).code, 0)
  const again = await cli.samsa(['topics', '--create', '--topic', topic])
  assert.equal(again.code, 1)
  assert.match(again.err, /TOPIC_ALREADY_EXISTS/)
  const quiet = await cli.samsa(['topics', '--create', '--topic', topic, '--if-not-exists'])
  assert.deepEqual([quiet.code, quiet.out, quiet.err], [0, '', ''])

  const missing = await cli.samsa(['topics', '--delete', '--topic', 'no-such-topic'])
  assert.equal(missing.code, 1)
  assert.match(missing.err, /Topic 'no-such-topic' does not exist as expected/)
  assert.equal((await cli.samsa(['topics', '--delete', '--topic', 'no-such-topic', '--if-exists'])).code, 0)
  assert.equal((await cli.samsa(['topics', '--describe', '--topic', 'no-such-topic', '--if-exists'])).out, '')
})

test('flag mistakes are usage errors that name the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['topics', '--list', '--describe'], /only one of/],
    [['topics', '--topic', 'x'], /exactly one action/],
    [['topics', '--create'], /--topic is required/],
    [['topics', '--alter', '--topic', 'x'], /--partitions is required/],
    [['topics', '--list', '--partitions', '3'], /--partitions can only be used with --create or --alter/],
    [['topics', '--create', '--topic', 'x', '--partitions', 'many'], /--partitions must be an integer/],
    [['topics', '--create', '--topic', 'x', '--config', 'novalue'], /--config takes key=value/],
    [['topics', '--lsit'], /Unknown option '--lsit'/],
    [['topics', '--list', '--output', 'xml'], /--output must be table or json/],
  ]
  for (const [argv, message] of cases) {
    const result = await cli.samsa(argv)
    assert.equal(result.code, 1, argv.join(' '))
    assert.match(result.err, message)
    assert.match(result.err, /samsa topics --help/)
  }
  const noServer = await runCli(['topics', '--list'])
  assert.equal(noServer.code, 1)
  assert.match(noServer.err, /--bootstrap-server must be specified/)
})

test('--help prints the flags; --command-config reads a Java properties file', async () => {
  const help = await runCli(['topics', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.out, /--create/)
  assert.match(help.out, /--bootstrap-server <host:port/)
  const file = join(mkdtempSync(join(tmpdir(), 'samsa-cli-props-')), 'admin.properties')
  writeFileSync(file, `# admin\nbootstrap.servers=${cli.bootstrap}\nrequest.timeout.ms : 5000\ninterceptor.classes=x\n`)
  const listed = await cli.samsa(['topics', '--list', '--command-config', file], { noBootstrap: true })
  assert.equal(listed.code, 0, listed.err)
  assert.match(listed.err, /'interceptor\.classes' was supplied but isn't a known admin config/)
})
