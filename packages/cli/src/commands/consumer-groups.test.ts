import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cliFixture, uniqueName, type RunResult } from '../testing.ts'
import {
  exportCsv,
  parseOffsetsCsv,
  parseDatetime,
  parseDuration,
  parseTopicScope,
  formatResetPlan,
  formatDeleteOffsets,
} from './consumer-groups-reset.ts'
import { assignmentString, formatGroupListing, formatMembers, formatOffsets, formatState } from './consumer-groups.ts'

const cli = cliFixture()

test('golden: --describe offsets table in ConsumerGroupCommand’s layout', () => {
  const out = formatOffsets([
    {
      group: 'test-group',
      topic: 'test',
      partition: 0,
      currentOffset: 3n,
      logEndOffset: 10n,
      lag: 7n,
      consumerId: 'consumer-1-0f6c',
      host: '/127.0.0.1',
      clientId: 'consumer-1',
    },
    {
      group: 'test-group',
      topic: 'test',
      partition: 1,
      currentOffset: null,
      logEndOffset: 4n,
      lag: null,
      consumerId: '-',
      host: '-',
      clientId: '-',
    },
  ])
  assert.equal(
    out,
    '\n' +
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
      'test-group      test            0          3               10              7               consumer-1-0f6c /127.0.0.1      consumer-1\n' +
      'test-group      test            1          -               4               -               -               -               -\n',
  )
})

test('golden: --members, --state and --list tables', () => {
  const member = {
    group: 'g',
    consumerId: 'c1',
    groupInstanceId: '',
    host: '/10.0.0.1',
    clientId: 'app',
    partitions: 2,
    currentEpoch: null,
    assignment: assignmentString([
      { topic: 'b', partition: 1 },
      { topic: 'a', partition: 2 },
      { topic: 'a', partition: 0 },
    ]),
    targetEpoch: null,
    targetAssignment: '-',
  }
  assert.equal(member.assignment, 'a:0,2;b:1')
  assert.equal(
    formatMembers([member], false),
    '\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n' +
      'g               c1              /10.0.0.1       app             2               \n',
  )
  assert.equal(
    formatMembers([member], true),
    '\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT   \n' +
      'g               c1              /10.0.0.1       app             2               -               a:0,2;b:1            -               -                   \n',
  )
  assert.equal(
    formatState(
      {
        group: 'g',
        coordinator: 'localhost:9092  (1)',
        assignmentStrategy: 'range',
        state: 'Stable',
        groupEpoch: null,
        targetAssignmentEpoch: null,
        members: 1,
      },
      false,
    ),
    '\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\n' +
      'g               localhost:9092  (1)       range                Stable               1\n',
  )
  assert.equal(
    formatGroupListing([{ groupId: 'g', state: 'Empty', type: 'classic' }], false, true),
    'GROUP                     STATE               \ng                         Empty               \n',
  )
  assert.equal(
    formatResetPlan([{ group: 'g', topic: 't', partition: 0, newOffset: 5n }]),
    '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n' +
      'g                              t                              0          5              \n',
  )
  assert.equal(
    formatDeleteOffsets([{ topic: 't', partition: 0, status: 'Successful' }]),
    '\nTOPIC           PARTITION  STATUS         \nt               0          Successful     \n',
  )
})

test('reset arguments: topic scopes, ISO-8601 durations and datetimes', () => {
  assert.deepEqual(parseTopicScope(['a', 'b:0,2']), {
    topics: ['a'],
    partitions: [
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 2 },
    ],
  })
  assert.throws(() => parseTopicScope(['b:x']), /not a partition number/)
  assert.equal(parseDuration('PT15M'), 15 * 60_000)
  assert.equal(parseDuration('P1DT2H3M4.5S'), ((24 + 2) * 3600 + 3 * 60 + 4.5) * 1000)
  assert.throws(() => parseDuration('15m'), /ISO-8601/)
  assert.equal(parseDatetime('2024-01-31T00:00:00.000Z'), Date.UTC(2024, 0, 31))
  assert.equal(parseDatetime('2024-01-31T09:00:00.000+0900'), Date.UTC(2024, 0, 31))
  assert.throws(() => parseDatetime('yesterday'), /--to-datetime must look like/)
  assert.deepEqual(parseOffsetsCsv('t,0,5\n\nt,1,7\n', ['g']), [
    { group: 'g', topic: 't', partition: 0, newOffset: 5n },
    { group: 'g', topic: 't', partition: 1, newOffset: 7n },
  ])
  assert.deepEqual(parseOffsetsCsv('g2,t,0,5\n', ['g1', 'g2']), [
    { group: 'g2', topic: 't', partition: 0, newOffset: 5n },
  ])
  assert.throws(() => parseOffsetsCsv('t,0\n', ['g']), /line 1: expected topic,partition,offset/)
  assert.equal(exportCsv([{ group: 'g', topic: 't', partition: 1, newOffset: 9n }], false), 'g,t,1,9\n')
})

function tableRows(result: RunResult): string[][] {
  return result.out
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('GROUP'))
    .map((l) => l.trim().split(/\s+/))
}

test('describe, list, members and state of a live group; lag after a partial read', async () => {
  const topic = uniqueName('lag')
  const group = uniqueName('g')
  await cli.samsa(['topics', '--create', '--topic', topic, '--partitions', '1'])
  await cli.samsa(
    ['console-producer', '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'],
    {
      stdin: Array.from({ length: 10 }, (_, i) => `k${i}:v${i}\n`).join(''),
    },
  )
  const read = await cli.samsa([
    'console-consumer',
    '--topic',
    topic,
    '--group',
    group,
    '--from-beginning',
    '--max-messages',
    '4',
  ])
  assert.equal(read.code, 0, read.err)

  const described = await cli.samsa(['consumer-groups', '--describe', '--group', group])
  assert.equal(described.code, 0, described.err)
  assert.match(described.err, /has no active members/)
  const rows = tableRows(described)
  assert.equal(rows.length, 1)
  assert.deepEqual(rows[0]?.slice(2, 6), ['0', '4', '10', '6'])
  for (const r of rows) {
    assert.equal(r[0], group)
    assert.equal(r[1], topic)
    assert.equal(Number(r[4]) - Number(r[3]), Number(r[5]))
    assert.deepEqual(r.slice(6), ['-', '-', '-'])
  }

  const listed = await cli.samsa(['consumer-groups', '--list'])
  assert.ok(listed.out.split('\n').includes(group))
  const withState = await cli.samsa(['consumer-groups', '--list', '--state'])
  assert.ok(withState.out.split('\n').some((l) => l.startsWith(group) && l.includes('Empty')))
  const onlyStable = await cli.samsa(['consumer-groups', '--list', '--state', 'Stable'])
  assert.ok(!onlyStable.out.includes(group))

  // A live member: console-consumer in the group until aborted.
  const controller = new AbortController()
  const running = cli.samsa(
    ['console-consumer', '--topic', topic, '--group', group, '--consumer-property', 'client.id=reader-1'],
    {
      signal: controller.signal,
    },
  )
  try {
    let members: RunResult | undefined
    for (let i = 0; i < 300; i++) {
      members = await cli.samsa(['consumer-groups', '--describe', '--group', group, '--members'])
      if (tableRows(members).length === 1 && members.err === '') break
      await new Promise((r) => setTimeout(r, 100))
    }
    const [member] = tableRows(members!)
    assert.equal(member?.[0], group)
    assert.equal(member?.[3], 'reader-1')
    assert.equal(member?.[4], '1')

    const live = await cli.samsa(['consumer-groups', '--describe', '--group', group])
    for (const r of tableRows(live)) assert.equal(r[8], 'reader-1')

    const state = await cli.samsa(['consumer-groups', '--describe', '--group', group, '--state'])
    const [s] = tableRows(state)
    assert.equal(s?.[0], group)
    assert.equal(`${s?.[1]}`, cli.bootstrap)
    assert.equal(s?.[2], `(${cli.broker.nodeId})`)
    assert.equal(s?.[4], 'Stable')
    assert.equal(s?.[5], '1')

    const refused = await cli.samsa([
      'consumer-groups',
      '--reset-offsets',
      '--group',
      group,
      '--topic',
      topic,
      '--to-earliest',
      '--execute',
    ])
    assert.equal(refused.code, 1)
    assert.match(refused.err, /Stable/)
  } finally {
    controller.abort()
    await running
  }
})

test('reset offsets (dry run and execute), delete offsets and delete the group', async () => {
  const topic = uniqueName('reset')
  const group = uniqueName('g')
  await cli.samsa(['topics', '--create', '--topic', topic])
  await cli.samsa(['console-producer', '--topic', topic], { stdin: 'a\nb\nc\nd\ne\nf\n' })
  await cli.samsa(['console-consumer', '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '6'])

  const dry = await cli.samsa([
    'consumer-groups',
    '--reset-offsets',
    '--group',
    group,
    '--topic',
    topic,
    '--to-earliest',
    '--dry-run',
  ])
  assert.equal(dry.code, 0, dry.err)
  assert.deepEqual(tableRows(dry), [[group, topic, '0', '0']])
  const still = await cli.samsa(['consumer-groups', '--describe', '--group', group])
  assert.equal(tableRows(still)[0]?.[3], '6')

  const cases: [string[], string][] = [
    [['--to-earliest'], '0'],
    [['--to-latest'], '6'],
    [['--to-offset', '2'], '2'],
    [['--shift-by', '-1'], '1'],
    [['--to-current'], '1'],
    [['--to-offset', '99'], '6'],
    [['--to-datetime', '2000-01-01T00:00:00.000Z'], '0'],
    [['--by-duration', 'PT1H'], '0'],
  ]
  for (const [target, expected] of cases) {
    const done = await cli.samsa([
      'consumer-groups',
      '--reset-offsets',
      '--group',
      group,
      '--topic',
      `${topic}:0`,
      ...target,
      '--execute',
    ])
    assert.equal(done.code, 0, `${target.join(' ')}: ${done.err}`)
    assert.deepEqual(tableRows(done), [[group, topic, '0', expected]], target.join(' '))
    const after = await cli.samsa(['consumer-groups', '--describe', '--group', group])
    assert.equal(tableRows(after)[0]?.[3], expected, target.join(' '))
  }
  const exported = await cli.samsa([
    'consumer-groups',
    '--reset-offsets',
    '--group',
    group,
    '--topic',
    topic,
    '--to-offset',
    '3',
    '--dry-run',
    '--export',
  ])
  assert.equal(exported.out, `${topic},0,3\n`)
  const csv = join(mkdtempSync(join(tmpdir(), 'samsa-cli-')), 'offsets.csv')
  writeFileSync(csv, exported.out)
  const fromFile = await cli.samsa([
    'consumer-groups',
    '--reset-offsets',
    '--group',
    group,
    '--from-file',
    csv,
    '--execute',
  ])
  assert.equal(fromFile.code, 0, fromFile.err)
  assert.deepEqual(tableRows(fromFile), [[group, topic, '0', '3']])
  assert.equal(tableRows(await cli.samsa(['consumer-groups', '--describe', '--group', group]))[0]?.[3], '3')

  const all = await cli.samsa([
    'consumer-groups',
    '--reset-offsets',
    '--group',
    group,
    '--all-topics',
    '--to-latest',
    '--execute',
    '--output',
    'json',
  ])
  assert.equal((JSON.parse(all.out) as { offsets: { newOffset: string }[] }).offsets[0]?.newOffset, '6')

  const noTarget = await cli.samsa(['consumer-groups', '--reset-offsets', '--group', group, '--topic', topic])
  assert.match(noTarget.err, /needs one of --to-earliest/)

  const removed = await cli.samsa(['consumer-groups', '--delete-offsets', '--group', group, '--topic', topic])
  assert.equal(removed.code, 0, removed.out + removed.err)
  assert.match(removed.out, new RegExp(`Request succeeded for deleting offsets from group ${group}\\.`))

  const deleted = await cli.samsa(['consumer-groups', '--delete', '--group', group])
  assert.equal(deleted.code, 0, deleted.err)
  assert.equal(deleted.out, `Deletion of requested consumer groups ('${group}') was successful.\n`)
  const gone = await cli.samsa(['consumer-groups', '--describe', '--group', group])
  assert.equal(gone.code, 1)
  assert.match(gone.err, /does not exist/)
})
