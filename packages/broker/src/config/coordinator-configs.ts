// Broker configs of the group and transaction coordinators.
// Names and defaults are Kafka's (GroupCoordinatorConfig, TransactionStateManagerConfig).

import { ConfigError, atLeast, defineConfig, listOf } from './define.ts'

export const coordinatorConfigDefs = defineConfig([
  // --- group coordinator ---
  {
    name: 'offsets.topic.num.partitions',
    type: 'int',
    default: 50,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Partitions of __consumer_offsets; do not change after the topic exists.',
  },
  {
    name: 'offsets.topic.replication.factor',
    type: 'short',
    default: 3,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Replication factor of __consumer_offsets.',
  },
  {
    name: 'offsets.topic.segment.bytes',
    type: 'int',
    default: 104857600,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Segment size of __consumer_offsets.',
  },
  {
    name: 'offsets.retention.minutes',
    type: 'int',
    default: 10080,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'How long committed offsets of an empty group are kept.',
  },
  {
    name: 'offsets.retention.check.interval.ms',
    type: 'long',
    default: 600000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'How often expired offsets are removed.',
  },
  {
    name: 'offsets.commit.timeout.ms',
    type: 'int',
    default: 5000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'How long an offset commit waits for __consumer_offsets replication.',
  },
  {
    name: 'offset.metadata.max.bytes',
    type: 'int',
    default: 4096,
    validate: atLeast(0),
    dynamic: 'read-only',
    doc: 'The most bytes of metadata an offset commit may carry (OFFSET_METADATA_TOO_LARGE beyond).',
  },
  {
    name: 'group.initial.rebalance.delay.ms',
    type: 'int',
    default: 3000,
    dynamic: 'read-only',
    doc: 'How long the first rebalance of an empty group waits for more members.',
  },
  {
    name: 'group.min.session.timeout.ms',
    type: 'int',
    default: 6000,
    dynamic: 'read-only',
    doc: 'The shortest session timeout a classic group member may ask for.',
  },
  {
    name: 'group.max.session.timeout.ms',
    type: 'int',
    default: 1800000,
    dynamic: 'read-only',
    doc: 'The longest session timeout a classic group member may ask for.',
  },
  {
    name: 'group.max.size',
    type: 'int',
    default: 2147483647,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Most members a classic group may have.',
  },
  {
    name: 'group.coordinator.rebalance.protocols',
    type: 'list',
    default: ['classic', 'consumer', 'streams'],
    validate: listOf('classic', 'consumer', 'share', 'streams'),
    dynamic: 'read-only',
    doc: 'Group protocols the coordinator serves.',
  },
  {
    name: 'group.consumer.session.timeout.ms',
    type: 'int',
    default: 45000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Session timeout of KIP-848 consumer group members.',
  },
  {
    name: 'group.consumer.heartbeat.interval.ms',
    type: 'int',
    default: 5000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Heartbeat interval of KIP-848 consumer group members.',
  },
  {
    name: 'group.consumer.min.session.timeout.ms',
    type: 'int',
    default: 45000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Smallest session timeout a KIP-848 consumer group may be configured with.',
  },
  {
    name: 'group.consumer.max.session.timeout.ms',
    type: 'int',
    default: 60000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Largest session timeout a KIP-848 consumer group may be configured with.',
  },
  {
    name: 'group.consumer.min.heartbeat.interval.ms',
    type: 'int',
    default: 5000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Smallest heartbeat interval a KIP-848 consumer group may be configured with.',
  },
  {
    name: 'group.consumer.max.heartbeat.interval.ms',
    type: 'int',
    default: 15000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Largest heartbeat interval a KIP-848 consumer group may be configured with.',
  },
  {
    name: 'group.consumer.max.size',
    type: 'int',
    default: 2147483647,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Most members a KIP-848 consumer group may have; a member joining beyond it gets GROUP_MAX_SIZE_REACHED.',
  },
  {
    name: 'group.consumer.assignors',
    type: 'list',
    default: ['uniform', 'range'],
    validate: (value: unknown) => {
      for (const name of value as string[]) {
        if (
          !['uniform', 'range'].includes(
            name.replace(
              /^org\.apache\.kafka\.coordinator\.group\.assignor\.(Uniform|Range)Assignor$/,
              (_m, n: string) => n.toLowerCase(),
            ),
          )
        ) {
          return `unknown server-side assignor ${name} (uniform and range are available)`
        }
      }
      return null
    },
    dynamic: 'read-only',
    doc: 'Server-side assignors of KIP-848 consumer groups, the first being the default. uniform and range (or their Kafka class names).',
  },

  // --- transactions ---
  {
    name: 'transaction.state.log.num.partitions',
    type: 'int',
    default: 50,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Partitions of __transaction_state.',
  },
  {
    name: 'transaction.state.log.replication.factor',
    type: 'short',
    default: 3,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Replication factor of __transaction_state.',
  },
  {
    name: 'transaction.state.log.min.isr',
    type: 'int',
    default: 2,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'min.insync.replicas of __transaction_state.',
  },
  {
    name: 'transaction.state.log.segment.bytes',
    type: 'int',
    default: 104857600,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'Segment size of __transaction_state.',
  },
  {
    name: 'transaction.max.timeout.ms',
    type: 'int',
    default: 900000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'The longest transaction timeout a producer may ask for.',
  },
  {
    name: 'transactional.id.expiration.ms',
    type: 'int',
    default: 604800000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'How long an idle transactional id is remembered.',
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    type: 'int',
    default: 10000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'How often the transaction coordinator aborts transactions open longer than their transaction.timeout.ms.',
  },
  {
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    type: 'int',
    default: 3600000,
    validate: atLeast(1),
    dynamic: 'read-only',
    doc: 'How often the transaction coordinator forgets transactional ids idle for transactional.id.expiration.ms.',
  },
  {
    name: 'producer.id.expiration.ms',
    type: 'int',
    default: 86400000,
    validate: atLeast(1),
    dynamic: 'cluster-wide',
    doc: 'How long producer state is kept after the last write of an idempotent producer.',
  },
])

/**
 * The relations between group configs that Kafka's GroupCoordinatorConfig requires at start-up: each KIP-848
 * interval and timeout inside its min/max, a heartbeat shorter than the session, and min ≤ max for classic
 * session timeouts. Throws ConfigError naming the key that breaks one.
 */
export function checkGroupConfigRelations(values: Readonly<Record<string, unknown>>): void {
  const n = (key: string) => values[key] as number
  const within = (key: string, min: string, max: string) => {
    if (n(key) < n(min) || n(key) > n(max)) {
      throw new ConfigError(key, `${key} (${n(key)}) must be between ${min} (${n(min)}) and ${max} (${n(max)})`)
    }
  }
  within(
    'group.consumer.heartbeat.interval.ms',
    'group.consumer.min.heartbeat.interval.ms',
    'group.consumer.max.heartbeat.interval.ms',
  )
  within(
    'group.consumer.session.timeout.ms',
    'group.consumer.min.session.timeout.ms',
    'group.consumer.max.session.timeout.ms',
  )
  if (n('group.consumer.heartbeat.interval.ms') >= n('group.consumer.session.timeout.ms')) {
    throw new ConfigError(
      'group.consumer.heartbeat.interval.ms',
      'group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms',
    )
  }
  if (n('group.min.session.timeout.ms') > n('group.max.session.timeout.ms')) {
    throw new ConfigError(
      'group.min.session.timeout.ms',
      'group.min.session.timeout.ms must not exceed group.max.session.timeout.ms',
    )
  }
}
