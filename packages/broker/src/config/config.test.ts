import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigResolver, ConfigSource, validateDynamicBrokerConfig, validateTopicConfig } from './config-resolver.ts'
import { ConfigError } from './define.ts'
import { envKeyToConfigName, loadBrokerConfig, parseOverride } from './load.ts'

const noDynamic = { brokerOverrides: () => new Map<string, string>(), clusterDefaults: () => new Map<string, string>() }

test('precedence: defaults < file < env < --override < programmatic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'))
  const file = join(dir, 'server.properties')
  writeFileSync(file, 'num.partitions=2\nlog.segment.bytes=1000\nlog.retention.hours=1\nmessage.max.bytes=5000\n')
  const warnings: string[] = []
  const c = loadBrokerConfig({
    file,
    env: { SAMSA_LOG_SEGMENT_BYTES: '2000', SAMSA_MESSAGE_MAX_BYTES: '6000', PATH: '/bin' },
    overrides: [['message.max.bytes', '7000']],
    config: { 'default.replication.factor': 1, 'log.dirs': [dir] },
    warn: (m) => warnings.push(m),
  })
  assert.equal(c.values['num.partitions'], 2) // file
  assert.equal(c.values['log.segment.bytes'], 2000) // env over file
  assert.equal(c.values['message.max.bytes'], 7000) // cli over env
  assert.equal(c.values['auto.create.topics.enable'], true) // default
  assert.deepEqual(c.logDirs, [dir])
  assert.equal(c.explicit.get('log.segment.bytes')?.source, 'env')
  assert.deepEqual(warnings, [])
  const r = new ConfigResolver(c, noDynamic)
  assert.equal(r.topicValue(new Map(), 'retention.ms'), 3600000) // log.retention.hours=1 → ms
  assert.equal(r.topicValue(new Map([['retention.ms', '5']]), 'retention.ms'), 5)
  assert.equal(r.topicValue(new Map(), 'max.message.bytes'), 7000)
})

test('bad values fail naming the key; unknown keys only warn', () => {
  assert.throws(
    () => loadBrokerConfig({ overrides: [['num.partitions', 'many']] }),
    (e: unknown) => e instanceof ConfigError && e.key === 'num.partitions' && /num\.partitions/.test(e.message),
  )
  assert.throws(
    () => loadBrokerConfig({ overrides: [['log.segment.bytes', '3']] }),
    (e: unknown) => e instanceof ConfigError && /at least 14/.test(e.message),
  )
  assert.throws(
    () => loadBrokerConfig({ overrides: [['log.cleanup.policy', 'delete,shred']] }),
    (e: unknown) => e instanceof ConfigError && e.key === 'log.cleanup.policy',
  )
  assert.throws(
    () => loadBrokerConfig({ overrides: [['listeners', 'PLAINTEXT://host']] }),
    (e: unknown) => e instanceof ConfigError && e.key === 'listeners',
  )
  assert.throws(
    () =>
      loadBrokerConfig({
        overrides: [
          ['node.id', '1'],
          ['broker.id', '2'],
        ],
      }),
    (e: unknown) => e instanceof ConfigError && e.key === 'broker.id',
  )
  // Relations between group configs, as Kafka's GroupCoordinatorConfig requires them.
  assert.throws(
    () => loadBrokerConfig({ overrides: [['group.consumer.heartbeat.interval.ms', '500']] }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.key === 'group.consumer.heartbeat.interval.ms' &&
      /group\.consumer\.min\.heartbeat\.interval\.ms/.test(e.message),
  )
  assert.throws(
    () =>
      loadBrokerConfig({
        overrides: [
          ['group.min.session.timeout.ms', '90000'],
          ['group.max.session.timeout.ms', '60000'],
        ],
      }),
    (e: unknown) => e instanceof ConfigError && e.key === 'group.min.session.timeout.ms',
  )
  loadBrokerConfig({
    overrides: [
      ['group.consumer.heartbeat.interval.ms', '500'],
      ['group.consumer.min.heartbeat.interval.ms', '500'],
    ],
  })
  const warnings: string[] = []
  loadBrokerConfig({ overrides: [['no.such.key', 'x']], env: { SAMSA_NOT_A_KEY: '1' }, warn: (m) => warnings.push(m) })
  assert.equal(warnings.length, 2)
  assert.match(warnings.join('\n'), /no\.such\.key/)
})

test('node.id / broker.id synonyms, listeners and env key mapping', () => {
  const byBrokerId = loadBrokerConfig({ overrides: [['broker.id', '7']] })
  assert.equal(byBrokerId.nodeId, 7)
  const resolver = new ConfigResolver(byBrokerId, noDynamic)
  assert.deepEqual(
    [resolver.describeBroker('node.id')?.value, resolver.describeBroker('node.id')?.source],
    ['7', ConfigSource.STATIC_BROKER_CONFIG],
  )
  assert.equal(loadBrokerConfig({}).nodeId, 0)
  const c = loadBrokerConfig({
    overrides: [
      ['listeners', 'PLAINTEXT://127.0.0.1:0,INTERNAL://[::1]:9093'],
      ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT'],
      ['advertised.listeners', 'PLAINTEXT://kafka.example:9092,INTERNAL://[::1]:9093'],
    ],
  })
  assert.deepEqual(
    c.listeners.map((l) => [l.name, l.host, l.port]),
    [
      ['PLAINTEXT', '127.0.0.1', 0],
      ['INTERNAL', '::1', 9093],
    ],
  )
  assert.equal(c.advertisedListeners[0]?.host, 'kafka.example')
  assert.equal(envKeyToConfigName('SAMSA_LOG_RETENTION_MS'), 'log.retention.ms')
  assert.deepEqual(parseOverride('a.b=c=d'), ['a.b', 'c=d'])
})

test('describe: sources and synonyms of broker and topic configs', () => {
  const c = loadBrokerConfig({ overrides: [['log.retention.hours', '24']] })
  const dynamic = {
    brokerOverrides: () => new Map([['message.max.bytes', '2000']]),
    clusterDefaults: () => new Map([['message.max.bytes', '3000']]),
  }
  const r = new ConfigResolver(c, dynamic)
  const retention = r.describeTopic(new Map(), 'retention.ms')
  assert.equal(retention?.value, '86400000')
  assert.equal(retention?.source, ConfigSource.STATIC_BROKER_CONFIG)
  assert.deepEqual(
    retention?.synonyms.map((s) => [s.name, s.value, s.source]),
    [
      ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
    ],
  )
  const max = r.describeTopic(new Map([['max.message.bytes', '100']]), 'max.message.bytes')
  assert.deepEqual(
    max?.synonyms.map((s) => s.source),
    [
      ConfigSource.DYNAMIC_TOPIC_CONFIG,
      ConfigSource.DYNAMIC_BROKER_CONFIG,
      ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      ConfigSource.DEFAULT_CONFIG,
    ],
  )
  assert.equal(r.brokerValue('message.max.bytes'), 2000)
  const listeners = r.describeBroker('listeners')
  assert.equal(listeners?.readOnly, true)
  assert.equal(r.describeBroker('log.flush.interval.messages')?.value, '9223372036854775807')
  assert.throws(() => validateTopicConfig('retention.mss', '1'), /Unknown topic config name: retention\.mss/)
  assert.throws(() => validateTopicConfig('cleanup.policy', 'shred'), ConfigError)
  assert.throws(() => validateDynamicBrokerConfig('num.partitions', '3'), /Cannot update these configs dynamically/)
  assert.equal(validateDynamicBrokerConfig('message.max.bytes', '10').name, 'message.max.bytes')
})
