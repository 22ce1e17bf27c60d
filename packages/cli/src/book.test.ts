// The book's command sequences (../shared/design/BOOK.md), typed with `samsa` in front instead of the Kafka
// scripts, against one in-process broker: 4.1's topic config at creation, 4.3.2's lag check with
// kafka-consumer-groups --describe, 5.1's select-color topic and 5.2's four metric topics read back with the console
// consumer. The book's single broker is "my-kafka:9092"; here it is the test broker, and replication factor 1 (as
// the reader transcriptions use for one broker) stands in for the book's 2.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cliFixture } from './testing.ts'

const cli = cliFixture()

async function ok(argv: string[], options: { stdin?: string } = {}) {
  const result = await cli.samsa(argv, options)
  assert.equal(result.code, 0, `samsa ${argv.join(' ')}\n${result.err}`)
  return result
}

test('4.1: a topic created with unclean.leader.election.enable=false shows the override', async () => {
  await ok(['topics', '--create', '--topic', 'my-topic', '--config', 'unclean.leader.election.enable=false'])
  const described = await ok(['topics', '--describe', '--topic', 'my-topic'])
  assert.match(
    described.out,
    /^Topic: my-topic\tTopicId: \S+\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: .*unclean\.leader\.election\.enable=false/,
  )
})

test('4.3.2: kafka-consumer-groups --describe shows LAG = LOG-END-OFFSET − CURRENT-OFFSET', async () => {
  await ok(['topics', '--create', '--topic', 'test', '--partitions', '3'])
  const lines = Array.from({ length: 30 }, (_, i) => `key${i}:message ${i}`).join('\n') + '\n'
  await ok(['console-producer', '--topic', 'test', '--property', 'parse.key=true', '--property', 'key.separator=:'], {
    stdin: lines,
  })
  // my-group reads part of the topic and commits it as it leaves.
  await ok(['console-consumer', '--topic', 'test', '--group', 'my-group', '--from-beginning', '--max-messages', '12'])
  const described = await ok([
    'consumer-groups',
    '--bootstrap-server',
    cli.bootstrap,
    '--group',
    'my-group',
    '--describe',
  ])
  const [blank, header, ...rows] = described.out.split('\n').filter((l, i) => i === 0 || l !== '')
  assert.equal(blank, '')
  assert.deepEqual(header?.split(/\s+/), [
    'GROUP',
    'TOPIC',
    'PARTITION',
    'CURRENT-OFFSET',
    'LOG-END-OFFSET',
    'LAG',
    'CONSUMER-ID',
    'HOST',
    'CLIENT-ID',
  ])
  let committed = 0
  let lag = 0
  for (const row of rows) {
    const [group, topic, , current, end, rowLag] = row.split(/\s+/)
    assert.equal(group, 'my-group')
    assert.equal(topic, 'test')
    assert.equal(Number(rowLag), Number(end) - Number(current))
    committed += Number(current)
    lag += Number(rowLag)
  }
  assert.equal(committed, 12)
  // Partitions the group never committed have no row of their own, as in Kafka; their records are lag too.
  const ends = await ok(['get-offsets', '--topic', 'test'])
  const total = ends.out
    .split('\n')
    .filter(Boolean)
    .reduce((sum, l) => sum + Number(l.split(':').at(-1)), 0)
  assert.equal(total, 30)
  assert.ok(lag <= 30 - 12)
})

test('5.1: create select-color with 3 partitions, produce JSON events, read them back', async () => {
  await ok([
    'topics',
    '--create',
    '--bootstrap-server',
    cli.bootstrap,
    '--replication-factor',
    '1',
    '--partitions',
    '3',
    '--topic',
    'select-color',
  ])
  const described = await ok(['topics', '--describe', '--topic', 'select-color'])
  assert.match(described.out, /PartitionCount: 3\tReplicationFactor: 1/)
  assert.equal(described.out.split('\n').filter((l) => l.startsWith('\tTopic: select-color\tPartition: ')).length, 3)
  const event = (color: string) =>
    JSON.stringify({
      timestamp: '2021-04-10T12:34:56.789+0900',
      userAgent: 'Mozilla/5.0',
      colorName: color,
      userName: 'wonyoung',
    })
  await ok(['console-producer', '--topic', 'select-color'], {
    stdin: ['red', 'yellow', 'green', 'blue'].map(event).join('\n') + '\n',
  })
  const consumed = await ok(['console-consumer', '--topic', 'select-color', '--from-beginning', '--max-messages', '4'])
  const colors = consumed.out
    .trimEnd()
    .split('\n')
    .map((l) => (JSON.parse(l) as { colorName: string }).colorName)
    .sort()
  assert.deepEqual(colors, ['blue', 'green', 'red', 'yellow'])
})

test('5.2: create the four metric topics; the console consumer shows metric.all from the beginning', async () => {
  for (const topic of ['metric.all', 'metric.cpu', 'metric.memory', 'metric.cpu.alert']) {
    const created = await ok(['topics', '--create', '--replication-factor', '1', '--partitions', '3', '--topic', topic])
    // Kafka's warning for names with a period, then its confirmation.
    assert.match(
      created.out,
      new RegExp(
        `^WARNING: Due to limitations in metric names.*\\nCreated topic ${topic.replaceAll('.', '\\.')}\\.\\n$`,
      ),
    )
  }
  const listed = await ok(['topics', '--list', '--topic', 'metric.*'])
  assert.equal(listed.out, 'metric.all\nmetric.cpu\nmetric.cpu.alert\nmetric.memory\n')
  const cpu = JSON.stringify({
    '@timestamp': '2021-04-10T03:00:00.000Z',
    metricset: { name: 'cpu', period: 10000 },
    system: { cpu: { total: { norm: { pct: 0.6 } } } },
    host: { name: 'my-host' },
  })
  await ok(['console-producer', '--topic', 'metric.all'], { stdin: cpu + '\n' })
  const consumed = await ok(['console-consumer', '--topic', 'metric.all', '--from-beginning', '--max-messages', '1'])
  assert.equal(consumed.out, cpu + '\n')
  assert.equal(consumed.err, 'Processed a total of 1 messages\n')
})
