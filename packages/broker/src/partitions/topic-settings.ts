// The topic configs the data path reads on every request, resolved once per config change (topic overrides over
// dynamic and static broker defaults) instead of per produced batch.

import type { LogConfig } from '@samsa/storage'
import type { ConfigResolver } from '../config/config-resolver.ts'

export interface TopicSettings {
  readonly topic: string
  /** max.message.bytes */
  readonly maxMessageBytes: number
  /** message.timestamp.type */
  readonly timestampType: 'CreateTime' | 'LogAppendTime'
  /** message.timestamp.before.max.ms / after.max.ms */
  readonly timestampBeforeMaxMs: number
  readonly timestampAfterMaxMs: number
  /** cleanup.policy includes compact: every record needs a key. */
  readonly isCompacted: boolean
  /** min.insync.replicas */
  readonly minInsyncReplicas: number
  readonly logConfig: LogConfig
}

export function resolveTopicSettings(
  configs: ConfigResolver,
  topic: string,
  overrides: ReadonlyMap<string, string>,
): TopicSettings {
  const value = (name: string) => configs.topicValue(overrides, name)
  const logConfig = configs.logConfig(overrides)
  return {
    topic,
    maxMessageBytes: value('max.message.bytes') as number,
    timestampType: value('message.timestamp.type') as 'CreateTime' | 'LogAppendTime',
    timestampBeforeMaxMs: value('message.timestamp.before.max.ms') as number,
    timestampAfterMaxMs: value('message.timestamp.after.max.ms') as number,
    isCompacted: logConfig.cleanupPolicy.includes('compact'),
    minInsyncReplicas: value('min.insync.replicas') as number,
    logConfig,
  }
}
