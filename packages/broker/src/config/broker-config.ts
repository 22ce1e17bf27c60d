// The broker's configs: Kafka's names and defaults verbatim (Kafka 4.x KafkaConfig, ServerLogConfigs,
// GroupCoordinatorConfig…), so existing server.properties files, DescribeConfigs output and tools carry over.
// `dynamic` follows Kafka's DynamicBrokerConfig: log.* defaults of topic configs and thread pools are
// cluster-wide, listeners and addresses are read-only here (Kafka can reconfigure listeners per broker; we do not
// yet). Configs accepted but not acted on yet are marked "(not used yet)" in their doc so DescribeConfigs stays
// honest. The log and coordinator groups live in their own files.

import { coordinatorConfigDefs } from './coordinator-configs.ts'
import { atLeast, between, defineConfig, listOf, oneOf, type ConfigDef, type ConfigObject } from './define.ts'
import { logConfigDefs } from './log-configs.ts'
import { validatePerIpOverrides } from './per-ip-overrides.ts'

const COMPRESSION_TYPES = oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')
const NOT_USED = ' (not used yet)'

const serverConfigDefs = defineConfig([
  // --- identity and listeners ---
  {
    name: 'node.id',
    type: 'int',
    default: 0,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc: 'The id of this broker in the cluster. broker.id is a synonym; if both are set they must match.',
  },
  {
    name: 'broker.id',
    type: 'int',
    default: -1,
    validate: atLeast(-1),
    dynamic: 'read-only',
    doc: 'Synonym of node.id kept for older configs; -1 means "use node.id".',
  },
  {
    name: 'broker.rack',
    type: 'string',
    default: null,
    dynamic: 'read-only',
    doc: 'The rack of this broker, returned in Metadata and used for rack-aware placement.',
  },
  {
    name: 'listeners',
    type: 'list',
    default: ['PLAINTEXT://127.0.0.1:9092'],
    dynamic: 'read-only',
    doc: 'Comma-separated NAME://host:port listeners to bind. An empty host binds every interface. Samsa binds 127.0.0.1 by default (Kafka binds all interfaces).',
  },
  {
    name: 'advertised.listeners',
    type: 'list',
    default: null,
    dynamic: 'read-only',
    doc: 'Listeners as clients should reach them, if different from listeners. An unset host advertises the machine host name.',
  },
  {
    name: 'listener.security.protocol.map',
    type: 'string',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    dynamic: 'read-only',
    doc: 'Maps listener names to security protocols. Only PLAINTEXT is implemented so far.',
  },
  {
    name: 'inter.broker.listener.name',
    type: 'string',
    default: null,
    dynamic: 'read-only',
    doc: 'The listener brokers use to talk to each other' + NOT_USED + '.',
  },
  {
    name: 'process.roles',
    type: 'list',
    default: ['broker', 'controller'],
    validate: listOf('broker', 'controller'),
    dynamic: 'read-only',
    doc: 'Accepted for compatibility with KRaft configs; Samsa always runs broker and controller together, with metadata in a MetadataStore.',
  },
  {
    name: 'controller.listener.names',
    type: 'list',
    default: null,
    dynamic: 'read-only',
    doc: 'Accepted for compatibility with KRaft configs' + NOT_USED + '.',
  },
  {
    name: 'controller.quorum.voters',
    type: 'list',
    default: [],
    dynamic: 'read-only',
    doc: 'Accepted for compatibility with KRaft configs' + NOT_USED + '.',
  },
  {
    name: 'controller.quorum.bootstrap.servers',
    type: 'list',
    default: [],
    dynamic: 'read-only',
    doc: 'Accepted for compatibility with KRaft configs' + NOT_USED + '.',
  },

  // --- network ---
  {
    name: 'socket.request.max.bytes',
    type: 'int',
    default: 104857600,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'The largest request frame accepted; a client announcing a larger one is disconnected.',
  },
  {
    name: 'socket.send.buffer.bytes',
    type: 'int',
    default: 102400,
    dynamic: 'read-only',
    doc: 'SO_SNDBUF of accepted sockets; -1 keeps the OS default' + NOT_USED + '.',
  },
  {
    name: 'socket.receive.buffer.bytes',
    type: 'int',
    default: 102400,
    dynamic: 'read-only',
    doc: 'SO_RCVBUF of accepted sockets; -1 keeps the OS default' + NOT_USED + '.',
  },
  {
    name: 'socket.listen.backlog.size',
    type: 'int',
    default: 50,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'The accept backlog of each listener.',
  },
  {
    name: 'connections.max.idle.ms',
    type: 'long',
    default: 600000,
    dynamic: 'read-only',
    doc: 'Connections idle for longer than this, with nothing in flight, are closed.',
  },
  {
    name: 'max.connections',
    type: 'int',
    default: 2147483647,
    validate: atLeast(0),
    dynamic: 'per-broker',
    doc:
      'The most connections the broker holds at once, across listeners. A new connection over it is closed at ' +
      'once (Kafka instead leaves it waiting until another closes); per-listener limits are not implemented.',
  },
  {
    name: 'max.connections.per.ip',
    type: 'int',
    default: 2147483647,
    validate: atLeast(0),
    dynamic: 'cluster-wide',
    doc: 'The most connections from one client IP address; a new connection over it is closed at once.',
  },
  {
    name: 'max.connections.per.ip.overrides',
    type: 'string',
    default: '',
    validate: validatePerIpOverrides,
    dynamic: 'cluster-wide',
    doc:
      'Per-address exceptions to max.connections.per.ip, as address:limit pairs separated by commas, e.g. ' +
      "'127.0.0.1:200,10.0.0.7:50'. IP addresses only: unlike Kafka, host names are not resolved.",
  },
  {
    name: 'queued.max.requests',
    type: 'int',
    default: 500,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Requests one connection may have in flight before the broker stops reading from it.',
  },
  {
    name: 'num.network.threads',
    type: 'int',
    default: 3,
    validate: atLeast(1),
    dynamic: 'cluster-wide',
    doc: 'Kafka network threads; Samsa serves sockets on the event loop' + NOT_USED + '.',
  },
  {
    name: 'num.io.threads',
    type: 'int',
    default: 8,
    validate: atLeast(1),
    dynamic: 'cluster-wide',
    doc: 'Kafka request handler threads' + NOT_USED + '.',
  },
  {
    name: 'background.threads',
    type: 'int',
    default: 10,
    validate: atLeast(1),
    dynamic: 'cluster-wide',
    doc: 'Threads for background tasks' + NOT_USED + '.',
  },

  // --- topics ---
  {
    name: 'num.partitions',
    type: 'int',
    default: 1,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Partitions of an auto-created topic, and of a CreateTopics request that passes -1.',
  },
  {
    name: 'default.replication.factor',
    type: 'int',
    default: 1,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Replication factor of an auto-created topic, and of a CreateTopics request that passes -1.',
  },
  {
    name: 'auto.create.topics.enable',
    type: 'boolean',
    default: true,
    dynamic: 'read-only',
    doc: 'Create a topic when a Metadata request asks for one that does not exist (and allows it).',
  },
  {
    name: 'delete.topic.enable',
    type: 'boolean',
    default: true,
    dynamic: 'read-only',
    doc: 'Allow DeleteTopics; when false it answers TOPIC_DELETION_DISABLED.',
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    default: 1,
    validate: atLeast(1),
    dynamic: 'cluster-wide',
    doc: 'With acks=all, the fewest in-sync replicas that must hold a write for it to succeed.',
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: false,
    dynamic: 'cluster-wide',
    doc: 'Allow an out-of-sync replica to become leader, losing data' + NOT_USED + '.',
  },
  {
    name: 'compression.type',
    type: 'string',
    default: 'producer',
    validate: COMPRESSION_TYPES,
    dynamic: 'cluster-wide',
    doc: 'The codec stored batches use; "producer" keeps what the producer sent. Samsa stores batches as produced.',
  },
  {
    name: 'compression.gzip.level',
    type: 'int',
    default: -1,
    validate: between(-1, 9),
    dynamic: 'cluster-wide',
    doc: 'Level used when the broker gzips (KIP-390)' + NOT_USED + '.',
  },
  {
    name: 'compression.lz4.level',
    type: 'int',
    default: 9,
    validate: between(1, 17),
    dynamic: 'cluster-wide',
    doc: 'Level used when the broker lz4-compresses (KIP-390)' + NOT_USED + '.',
  },
  {
    name: 'compression.zstd.level',
    type: 'int',
    default: 3,
    validate: between(-131072, 22),
    dynamic: 'cluster-wide',
    doc: 'Level used when the broker zstd-compresses (KIP-390)' + NOT_USED + '.',
  },
  {
    name: 'message.max.bytes',
    type: 'int',
    default: 1048588,
    validate: atLeast(0),
    dynamic: 'cluster-wide',
    doc: 'The largest record batch accepted, after compression; topics override it with max.message.bytes.',
  },
  {
    name: 'fetch.max.bytes',
    type: 'int',
    default: 57671680,
    validate: atLeast(1024),
    dynamic: 'cluster-wide',
    doc: 'The most bytes one Fetch response returns, whatever the request asks for.',
  },
  {
    // Not a Kafka config (Kafka sends records from the page cache with sendfile and holds none): hence samsa.
    name: 'samsa.fetch.memory.max.bytes',
    type: 'long',
    default: 268435456,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc:
      'Bytes of records all Fetch responses together may hold in memory until their clients have taken them. ' +
      'While it is spent, Fetch responses are made smaller, down to the one batch a Fetch always returns, and ' +
      'each connection has one Fetch served at a time.',
  },
  {
    // Not a Kafka config (Kafka leans on the page cache and sendfile): hence the samsa. prefix.
    name: 'samsa.log.tail.cache.bytes',
    type: 'long',
    default: 134217728,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc:
      'Bytes of the newest appended log data kept in memory across all partitions, so consumers reading near the ' +
      'end are served without reading segment files (0 turns it off). Oldest data leaves first.',
  },
  {
    // Not a Kafka config: Kafka always writes through the page cache. See @samsa/storage's fs/direct-append.ts.
    name: 'samsa.log.direct.append.min.bytes',
    type: 'int',
    default: 0,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc:
      'Appends of at least this many bytes to a segment file bypass the page cache (O_DIRECT), for hosts where ' +
      'filling new page-cache pages is slow, such as VMs that hand freed memory back to the hypervisor. Smaller ' +
      'appends stay buffered. 0 (the default) writes everything through the page cache, as Kafka does.',
  },
  {
    // Not a Kafka config: Kafka's request handler threads write to the page cache themselves. See @samsa/storage's
    // fs/background-writer.ts.
    name: 'samsa.log.background.appends',
    type: 'boolean',
    default: true,
    dynamic: 'read-only',
    doc:
      'Produce appends are copied into the tail cache and written to segment files by a worker thread, so the ' +
      'event loop reads the next request while the page cache (or, with direct appends, the device) takes the ' +
      'bytes; the answer still waits for the write. An append under 16 KiB that finds the thread idle is written ' +
      'at once. Needs samsa.log.tail.cache.bytes of at least 4 MiB. false writes every append on the event loop.',
  },
  {
    name: 'max.incremental.fetch.session.cache.slots',
    type: 'int',
    default: 1000,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc: 'How many incremental fetch sessions (KIP-227) the broker keeps.',
  },

  // --- replication (single node for now) ---
  {
    name: 'replica.lag.time.max.ms',
    type: 'long',
    default: 30000,
    dynamic: 'read-only',
    doc: 'A follower that has not caught up for this long leaves the ISR' + NOT_USED + '.',
  },
  {
    name: 'replica.fetch.max.bytes',
    type: 'int',
    default: 1048576,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc: 'Bytes a follower fetches per partition' + NOT_USED + '.',
  },
  {
    name: 'replica.fetch.wait.max.ms',
    type: 'int',
    default: 500,
    dynamic: 'read-only',
    doc: 'Longest wait of a follower fetch' + NOT_USED + '.',
  },
  {
    name: 'num.replica.fetchers',
    type: 'int',
    default: 1,
    dynamic: 'cluster-wide',
    doc: 'Follower fetcher threads' + NOT_USED + '.',
  },
])

export const brokerConfigDefs = defineConfig([...serverConfigDefs, ...logConfigDefs, ...coordinatorConfigDefs] as const)

export type BrokerConfig = ConfigObject<typeof brokerConfigDefs>
export type BrokerConfigName = keyof BrokerConfig

const byName = new Map<string, ConfigDef>(brokerConfigDefs.map((d) => [d.name, d]))

export function brokerConfigDef(name: string): ConfigDef | undefined {
  return byName.get(name)
}
