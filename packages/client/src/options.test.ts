import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAdmin } from './admin/admin.ts'
import { createConsumer } from './consumer/consumer.ts'
import { isSamsaError } from './errors.ts'
import {
  allDefaults,
  CONSUMER_OPTIONS,
  JAVA_PROPERTIES_BY_CLIENT,
  JAVA_PROPERTY_NAMES,
  parseBootstrapServers,
  parseOptions,
  PRODUCER_OPTIONS,
} from './options.ts'
import { createProducer, resolveIdempotence } from './producer/producer.ts'

const invalid = (key: RegExp) => (e: unknown) =>
  isSamsaError(e) && e.code === 'SAMSA_ERR_INVALID_OPTION' && key.test(e.message)

test('Java property names map onto camelCase options through one table', () => {
  assert.equal(JAVA_PROPERTY_NAMES.get('bootstrap.servers'), 'bootstrapServers')
  assert.equal(JAVA_PROPERTY_NAMES.get('linger.ms'), 'lingerMs')
  assert.equal(JAVA_PROPERTY_NAMES.get('compression.type'), 'compression')
  assert.equal(JAVA_PROPERTY_NAMES.get('fetch.min.bytes'), 'fetchMinBytes')
  // Values from property files are strings: they are parsed for Java names.
  const producer = createProducer({
    'bootstrap.servers': 'a:1,b:2',
    'linger.ms': '7',
    acks: 'all',
    'compression.type': 'zstd',
  })
  void producer.close()
})

test('validation errors name the key as the caller spelled it', () => {
  assert.throws(() => createProducer({ bootstrapServers: 'a:1', lingerMs: -1 }), invalid(/"lingerMs" must be in/))
  assert.throws(
    () => createProducer({ bootstrapServers: 'a:1', 'linger.ms': 'soon' }),
    invalid(/"linger\.ms" must be an integer/),
  )
  assert.throws(() => createProducer({ bootstrapServers: 'a:1', acks: 2 as never }), invalid(/"acks"/))
  assert.throws(
    () => createProducer({ bootstrapServers: 'a:1', compression: 'brotli' as never }),
    invalid(/"compression" must be one of/),
  )
  assert.throws(
    () => createConsumer({ bootstrapServers: 'a:1', lingerMs: 5 } as never),
    invalid(/"lingerMs" is not a consumer option/),
  )
  assert.throws(
    () => createConsumer({ bootstrapServers: 'a:1', 'fetch.min.byte': 1 }),
    invalid(/"fetch\.min\.byte" is not/),
  )
  assert.throws(() => createAdmin({ clientId: 'x' }), invalid(/"bootstrapServers" is required/))
  assert.throws(
    () => createAdmin({ bootstrapServers: 'a:1', 'bootstrap.servers': 'b:2' }),
    invalid(/repeats "bootstrapServers"/),
  )
  assert.throws(
    () => createConsumer({ bootstrapServers: 'a:1', isolationLevel: 'dirty' as never }),
    invalid(/"isolationLevel"/),
  )
})

test('bootstrap servers: host:port lists, arrays, IPv6 in brackets', () => {
  assert.deepEqual(parseBootstrapServers('k', 'a:1, b:2'), [
    { host: 'a', port: 1 },
    { host: 'b', port: 2 },
  ])
  assert.deepEqual(parseBootstrapServers('k', ['[::1]:9092']), [{ host: '::1', port: 9092 }])
  assert.throws(() => parseBootstrapServers('k', 'nohost'), invalid(/"k" has "nohost"/))
  assert.throws(() => parseBootstrapServers('k', 'a:70000'), invalid(/not host:port/))
  assert.throws(() => parseBootstrapServers('k', ''), invalid(/lists no servers/))
})

test('group options: assignor lists from names, Java class names or a comma-separated property', () => {
  const parsed = parseOptions(
    'consumer',
    {
      bootstrapServers: 'localhost:9092',
      'group.id': 'g',
      'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor, roundrobin',
      'enable.auto.commit': 'false',
      'group.protocol': 'consumer',
    },
    CONSUMER_OPTIONS,
    allDefaults.consumer,
  )
  assert.deepEqual(parsed.partitionAssignors, ['cooperative-sticky', 'roundrobin'])
  assert.equal(parsed.groupId, 'g')
  assert.equal(parsed.autoCommit, false)
  assert.equal(parsed.groupProtocol, 'consumer')
  assert.throws(
    () => parseOptions('consumer', { bootstrapServers: 'h:1', partitionAssignors: ['sticky'] }, CONSUMER_OPTIONS, {}),
    /option "partitionAssignors" must list only range, roundrobin, cooperative-sticky, got "sticky"/,
  )
})

test('each client lists the Java properties it accepts', () => {
  assert.ok(JAVA_PROPERTIES_BY_CLIENT.producer.has('linger.ms'))
  assert.ok(!JAVA_PROPERTIES_BY_CLIENT.admin.has('linger.ms'))
  assert.ok(JAVA_PROPERTIES_BY_CLIENT.consumer.has('group.id'))
  for (const kind of ['producer', 'consumer', 'admin'] as const) {
    assert.ok(JAVA_PROPERTIES_BY_CLIENT[kind].has('bootstrap.servers'))
  }
})

test('idempotence is on by default, off without a word on conflicting settings, an error when asked for', () => {
  const resolve = (input: Record<string, unknown>) => {
    const options = parseOptions(
      'producer',
      { bootstrapServers: 'a:1', ...input },
      PRODUCER_OPTIONS,
      allDefaults.producer,
    )
    return resolveIdempotence(input, options as never)
  }
  assert.equal(resolve({}), true)
  assert.equal(resolve({ acks: 1 }), false)
  assert.equal(resolve({ 'max.in.flight.requests.per.connection': '6' }), false)
  assert.equal(resolve({ retries: 0 }), false)
  assert.equal(resolve({ enableIdempotence: false }), false)
  assert.throws(
    () => resolve({ 'enable.idempotence': 'true', acks: '1' }),
    invalid(/"acks" must be all \(-1\) with enable\.idempotence/),
  )
  assert.throws(
    () => resolve({ enableIdempotence: true, maxInFlightRequestsPerConnection: 6 }),
    invalid(/"maxInFlightRequestsPerConnection" must be at most 5/),
  )
  // A transactional id needs idempotence, and implies it.
  assert.equal(resolve({ transactionalId: 'tx' }), true)
  assert.throws(
    () => resolve({ 'transactional.id': 'tx', acks: 1 }),
    invalid(/"transactional\.id" needs idempotence, but "acks" turns it off/),
  )
  assert.throws(
    () => resolve({ transactionalId: 'tx', enableIdempotence: false }),
    invalid(/"enableIdempotence" is false/),
  )
  assert.throws(() => resolve({ transactionalId: '' }), invalid(/"transactionalId" must not be empty/))
  assert.equal(JAVA_PROPERTY_NAMES.get('transaction.timeout.ms'), 'transactionTimeoutMs')
})
