// Builds the group coordinator: a runtime over `__consumer_offsets` whose shards hold offsets, classic groups and
// KIP-848 consumer groups, the broker configs it follows, the topics it sees, and the periodic offset expiry
// (offsets.retention.check.interval.ms) that also removes offsets of deleted topics.

import type { Clock } from '@samsa/storage'
import type { ConfigResolver } from '../../config/config-resolver.ts'
import type { Logger } from '../../logger.ts'
import type { MetadataStore } from '../../metadata/index.ts'
import type { PartitionManager } from '../../partitions/index.ts'
import { CoordinatorRuntime, type RuntimeTimers } from '../runtime/coordinator-runtime.ts'
import { PartitionLog } from '../runtime/partition-log.ts'
import { defaultServerAssignors } from './assignors/index.ts'
import { ClassicGroups } from './classic/classic-groups.ts'
import { ConsumerGroups } from './consumer/consumer-groups.ts'
import { GroupCoordinator } from './group-coordinator.ts'
import { GroupShard } from './group-shard.ts'
import { decodeGroupRecord, encodeGroupRecord } from './records.ts'
import type { GroupConfigs, GroupRecord, TopicsImage, TopicView } from './types.ts'

export const GROUP_METADATA_TOPIC = '__consumer_offsets'
const EXPIRATION_TIMER = 'offsets-expiration'

export interface GroupCoordinatorDeps {
  partitions: PartitionManager
  store: MetadataStore
  configs: ConfigResolver
  /** TopicControl.autoCreateTopic, which gives internal topics Kafka's settings. */
  createTopic(name: string): Promise<number>
  clock: Clock
  logger: Logger
}

function topicsImage(store: MetadataStore): TopicsImage {
  const view = (t: { name: string; topicId: string; partitions: readonly unknown[] }): TopicView => ({
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.length,
  })
  return {
    byName: (name) => {
      const t = store.topic(name)
      return t === undefined ? undefined : view(t)
    },
    byId: (id) => {
      const t = store.topicById(id)
      return t === undefined ? undefined : view(t)
    },
    all: function* () {
      for (const t of store.topics()) if (!t.isInternal) yield view(t)
    },
  }
}

function groupConfigs(configs: ConfigResolver): GroupConfigs {
  const value = (name: string) => configs.brokerValue(name) as number
  return {
    'group.initial.rebalance.delay.ms': value('group.initial.rebalance.delay.ms'),
    'group.min.session.timeout.ms': value('group.min.session.timeout.ms'),
    'group.max.session.timeout.ms': value('group.max.session.timeout.ms'),
    'group.max.size': value('group.max.size'),
    'group.consumer.session.timeout.ms': value('group.consumer.session.timeout.ms'),
    'group.consumer.heartbeat.interval.ms': value('group.consumer.heartbeat.interval.ms'),
    'group.consumer.max.size': value('group.consumer.max.size'),
    'group.consumer.assignors': (configs.brokerValue('group.consumer.assignors') as string[]).map((name) =>
      name.replace(/^org\.apache\.kafka\.coordinator\.group\.assignor\.(Uniform|Range)Assignor$/, (_m, n: string) =>
        n.toLowerCase(),
      ),
    ),
    'offsets.retention.minutes': value('offsets.retention.minutes'),
  }
}

export function createGroupCoordinator(deps: GroupCoordinatorDeps): GroupCoordinator {
  const { partitions, store, configs, clock, logger } = deps
  const topics = topicsImage(store)
  const currentConfigs = () => groupConfigs(configs)
  const scheduleExpiration = (shard: GroupShard, timers: RuntimeTimers<GroupRecord>): void => {
    const interval = configs.brokerValue('offsets.retention.check.interval.ms') as number
    timers.schedule(EXPIRATION_TIMER, interval, (now) => {
      scheduleExpiration(shard, timers)
      const retentionMs = currentConfigs()['offsets.retention.minutes'] * 60_000
      const records = [
        ...shard.offsets.expire(now, retentionMs, (groupId) => shard.emptySince(groupId)),
        ...shard.offsets.deleteTopics((topic) => store.topic(topic) !== undefined),
      ]
      return { records, response: undefined }
    })
  }
  const timersOf = new Map<GroupShard, RuntimeTimers<GroupRecord>>()
  const runtime = new CoordinatorRuntime<GroupShard, GroupRecord>({
    name: 'group coordinator',
    log: new PartitionLog({
      topic: GROUP_METADATA_TOPIC,
      partitions,
      createTopic: () => deps.createTopic(GROUP_METADATA_TOPIC),
      waitForPartitions: async () => {
        for (let i = 0; i < 100 && partitions.getPartition(GROUP_METADATA_TOPIC, 0) === undefined; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      },
    }),
    codec: { encode: encodeGroupRecord, decode: decodeGroupRecord },
    clock,
    logger,
    numPartitions: () => configs.brokerValue('offsets.topic.num.partitions') as number,
    createShard: (partition, timers) => {
      const shard = new GroupShard(
        partition,
        new ClassicGroups({ timers, configs: currentConfigs }),
        new ConsumerGroups({
          timers,
          configs: currentConfigs,
          topics: () => topics,
          assignors: defaultServerAssignors,
        }),
      )
      timersOf.set(shard, timers)
      return shard
    },
    onLoaded: (shard, now) => {
      shard.classic.onLoaded(now)
      shard.consumer.onLoaded(now)
      const timers = timersOf.get(shard)
      if (timers !== undefined) scheduleExpiration(shard, timers)
    },
  })
  // Topics created, grown or deleted: KIP-848 groups recompute their assignments at once, and offsets of a deleted
  // topic go with it (Kafka's onPartitionsDeleted), rather than waiting for the next expiry pass.
  const unsubscribe = store.subscribe((change) => {
    if (change.type !== 'topic-created' && change.type !== 'topic-deleted' && change.type !== 'partitions-created')
      return
    if (change.topic.isInternal) return
    runtime.runOnLoaded(
      (shard, now) => {
        const changed = shard.consumer.onTopicsChanged(now)
        const deleted =
          change.type === 'topic-deleted' ? shard.offsets.deleteTopics((topic) => topic !== change.topic.name) : []
        return { records: [...deleted, ...changed.records], response: undefined, then: changed.then ?? [] }
      },
      (e) => logger.error(`group coordinator: cannot apply ${change.type} of ${change.topic.name}`, e),
    )
  })
  return new GroupCoordinator(runtime, {
    maxMetadataBytes: () => configs.brokerValue('offset.metadata.max.bytes') as number,
    onClose: unsubscribe,
  })
}
