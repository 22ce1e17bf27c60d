// Topic configs and the broker configs they default to (Kafka's LogConfig and its "synonyms"). Each topic key
// lists its broker synonyms in precedence order; the first one with a value gives the default, converted to the
// topic key's unit (retention.ms ← log.retention.ms | log.retention.minutes × 60000 | log.retention.hours ×
// 3600000). DescribeConfigs reports the same list as the config's synonyms (KIP-226).
// Tiered-storage keys (remote.storage.enable, local.retention.*) are not listed: Samsa has no tiered storage.

import { LONG_MAX, atLeast, between, listOf, oneOf, type ConfigDef, type ConfigTypeName } from './define.ts'

export interface BrokerSynonym {
  readonly name: string
  /** Multiplier from the broker key's unit to the topic key's (hours → ms = 3600000). */
  readonly scale?: number
}

export interface TopicConfigDef<T extends ConfigTypeName = ConfigTypeName> extends ConfigDef<T> {
  /** Broker configs this key defaults to, highest precedence first. Empty: the key's own default applies. */
  readonly synonyms: readonly BrokerSynonym[]
}

const HOUR_MS = 3600000
const MINUTE_MS = 60000

function topic<T extends ConfigTypeName>(def: Omit<TopicConfigDef<T>, 'dynamic'>): TopicConfigDef<T> {
  // Topic configs are always alterable through (Incremental)AlterConfigs; the broker-side notion does not apply.
  return { ...def, dynamic: 'cluster-wide' }
}

export const topicConfigDefs: readonly TopicConfigDef[] = [
  topic({
    name: 'cleanup.policy',
    type: 'list',
    default: ['delete'],
    validate: listOf('compact', 'delete'),
    synonyms: [{ name: 'log.cleanup.policy' }],
    doc: 'delete removes old segments by retention; compact keeps the latest record of every key; both may be set.',
  }),
  topic({
    name: 'compression.type',
    type: 'string',
    default: 'producer',
    validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    synonyms: [{ name: 'compression.type' }],
    doc: "Codec of stored batches; producer keeps the producer's codec (Samsa always stores batches as produced).",
  }),
  topic({
    name: 'compression.gzip.level',
    type: 'int',
    default: -1,
    validate: between(-1, 9),
    synonyms: [{ name: 'compression.gzip.level' }],
    doc: 'Level used when the broker gzips (KIP-390).',
  }),
  topic({
    name: 'compression.lz4.level',
    type: 'int',
    default: 9,
    validate: between(1, 17),
    synonyms: [{ name: 'compression.lz4.level' }],
    doc: 'Level used when the broker lz4-compresses (KIP-390).',
  }),
  topic({
    name: 'compression.zstd.level',
    type: 'int',
    default: 3,
    validate: between(-131072, 22),
    synonyms: [{ name: 'compression.zstd.level' }],
    doc: 'Level used when the broker zstd-compresses (KIP-390).',
  }),
  topic({
    name: 'delete.retention.ms',
    type: 'long',
    default: 86400000,
    validate: atLeast(0),
    synonyms: [{ name: 'log.cleaner.delete.retention.ms' }],
    doc: 'How long tombstones of a compacted topic stay readable.',
  }),
  topic({
    name: 'file.delete.delay.ms',
    type: 'long',
    default: 60000,
    validate: atLeast(0),
    synonyms: [{ name: 'log.segment.delete.delay.ms' }],
    doc: 'How long a deleted segment lingers before its file is removed.',
  }),
  topic({
    name: 'flush.messages',
    type: 'long',
    default: LONG_MAX,
    validate: atLeast(1),
    synonyms: [{ name: 'log.flush.interval.messages' }],
    doc: 'Records appended between two fsyncs; the default leaves flushing to the OS.',
  }),
  topic({
    name: 'flush.ms',
    type: 'long',
    default: LONG_MAX,
    validate: atLeast(0),
    synonyms: [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
    doc: 'Milliseconds between two fsyncs; the default leaves flushing to the OS.',
  }),
  topic({
    name: 'follower.replication.throttled.replicas',
    type: 'list',
    default: [],
    synonyms: [],
    doc: 'Replicas whose follower replication is throttled (partition:broker pairs or *) (not used yet).',
  }),
  topic({
    name: 'index.interval.bytes',
    type: 'int',
    default: 4096,
    validate: atLeast(0),
    synonyms: [{ name: 'log.index.interval.bytes' }],
    doc: 'Bytes appended between two offset-index entries.',
  }),
  topic({
    name: 'leader.replication.throttled.replicas',
    type: 'list',
    default: [],
    synonyms: [],
    doc: 'Replicas whose leader-side replication is throttled (partition:broker pairs or *) (not used yet).',
  }),
  topic({
    name: 'max.compaction.lag.ms',
    type: 'long',
    default: LONG_MAX,
    validate: atLeast(1),
    synonyms: [{ name: 'log.cleaner.max.compaction.lag.ms' }],
    doc: 'The oldest a record may get before it must be eligible for compaction.',
  }),
  topic({
    name: 'max.message.bytes',
    type: 'int',
    default: 1048588,
    validate: atLeast(0),
    synonyms: [{ name: 'message.max.bytes' }],
    doc: 'The largest record batch the topic accepts, after compression.',
  }),
  topic({
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    default: 3600000,
    validate: atLeast(0),
    synonyms: [{ name: 'log.message.timestamp.after.max.ms' }],
    doc: 'How far in the future a CreateTime timestamp may be.',
  }),
  topic({
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    default: LONG_MAX,
    validate: atLeast(0),
    synonyms: [{ name: 'log.message.timestamp.before.max.ms' }],
    doc: 'How far in the past a CreateTime timestamp may be.',
  }),
  topic({
    name: 'message.timestamp.type',
    type: 'string',
    default: 'CreateTime',
    validate: oneOf('CreateTime', 'LogAppendTime'),
    synonyms: [{ name: 'log.message.timestamp.type' }],
    doc: 'CreateTime keeps producer timestamps; LogAppendTime stamps batches with the broker time.',
  }),
  topic({
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    default: 0.5,
    validate: between(0, 1),
    synonyms: [{ name: 'log.cleaner.min.cleanable.ratio' }],
    doc: 'Dirty-to-total ratio above which the log is compacted.',
  }),
  topic({
    name: 'min.compaction.lag.ms',
    type: 'long',
    default: 0,
    validate: atLeast(0),
    synonyms: [{ name: 'log.cleaner.min.compaction.lag.ms' }],
    doc: 'The youngest a record may be and still be compacted.',
  }),
  topic({
    name: 'min.insync.replicas',
    type: 'int',
    default: 1,
    validate: atLeast(1),
    synonyms: [{ name: 'min.insync.replicas' }],
    doc: 'With acks=all, the fewest in-sync replicas that must hold a write.',
  }),
  topic({
    name: 'preallocate',
    type: 'boolean',
    default: false,
    synonyms: [{ name: 'log.preallocate' }],
    doc: 'Preallocate segment files (not used yet).',
  }),
  topic({
    name: 'retention.bytes',
    type: 'long',
    default: -1,
    synonyms: [{ name: 'log.retention.bytes' }],
    doc: 'Bytes a partition may hold before old segments are deleted; -1 means no limit.',
  }),
  topic({
    name: 'retention.ms',
    type: 'long',
    default: 604800000,
    validate: atLeast(-1),
    synonyms: [
      { name: 'log.retention.ms' },
      { name: 'log.retention.minutes', scale: MINUTE_MS },
      { name: 'log.retention.hours', scale: HOUR_MS },
    ],
    doc: 'How long records are kept before their segment may be deleted; -1 keeps them forever.',
  }),
  topic({
    name: 'segment.bytes',
    type: 'int',
    default: 1073741824,
    validate: atLeast(14),
    synonyms: [{ name: 'log.segment.bytes' }],
    doc: 'The size at which a segment is rolled.',
  }),
  topic({
    name: 'segment.index.bytes',
    type: 'int',
    default: 10485760,
    validate: atLeast(4),
    synonyms: [{ name: 'log.index.size.max.bytes' }],
    doc: 'Largest size of an offset or time index file.',
  }),
  topic({
    name: 'segment.jitter.ms',
    type: 'long',
    default: 0,
    validate: atLeast(0),
    synonyms: [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', scale: HOUR_MS }],
    doc: 'Largest random jitter subtracted from segment.ms.',
  }),
  topic({
    name: 'segment.ms',
    type: 'long',
    default: 604800000,
    validate: atLeast(1),
    synonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', scale: HOUR_MS }],
    doc: 'Roll a segment after this long even if it is not full.',
  }),
  topic({
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: false,
    synonyms: [{ name: 'unclean.leader.election.enable' }],
    doc: 'Allow an out-of-sync replica to become leader, losing data (not used yet).',
  }),
]

const byName = new Map<string, TopicConfigDef>(topicConfigDefs.map((d) => [d.name, d]))

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return byName.get(name)
}
