// What a consumer group subscribes to: the members' topic names plus the topics matching their regular
// expressions (KIP-848, ConsumerGroupHeartbeat v1's subscribedTopicRegex), resolved against the topics the
// coordinator sees. The resolved set, with partition counts, is what ConsumerGroupPartitionMetadata stores: when
// it differs from what is stored, the group epoch is bumped and a new target assignment follows.
//
// Kafka resolves regular expressions asynchronously and persists the result; here resolution is synchronous, at
// each subscription change and on onTopicsChanged, and only its effect (the subscribed topics) is persisted.

import type { TopicsImage } from '../types.ts'
import type { SubscribedTopic } from './consumer-group.ts'
import type { ConsumerGroupMember } from './member.ts'

const compiled = new Map<string, RegExp | null>()
const MAX_CACHED = 1024

/**
 * Compiles a subscription regex, or returns null when it is not valid (INVALID_REGULAR_EXPRESSION).
 *
 * Kafka uses RE2/J and requires the whole topic name to match; JavaScript's RegExp is used here with the
 * pattern anchored as `^(?:…)$`. Remaining syntax differences: RE2/J's `(?P<name>…)` groups, inline flags such
 * as `(?i)`, `\Q…\E` quoting, `\z` and POSIX classes like `[[:alpha:]]` are rejected or read differently by
 * JavaScript, while JavaScript accepts lookaround and back-references that RE2/J rejects. No `u` flag: in
 * unicode mode JavaScript rejects escaped punctuation such as `\-`, which RE2 accepts.
 */
export function compileTopicRegex(regex: string): RegExp | null {
  let pattern = compiled.get(regex)
  if (pattern !== undefined) return pattern
  try {
    pattern = new RegExp(`^(?:${regex})$`)
  } catch {
    pattern = null
  }
  if (compiled.size >= MAX_CACHED) compiled.clear()
  compiled.set(regex, pattern)
  return pattern
}

/** The names of the existing topics a member subscribes to, by name or by regex. */
export function memberTopicNames(member: ConsumerGroupMember, topics: TopicsImage): Set<string> {
  const names = new Set<string>()
  for (const name of member.subscribedTopicNames) if (topics.byName(name) !== undefined) names.add(name)
  const regex = member.subscribedTopicRegex === null ? null : compileTopicRegex(member.subscribedTopicRegex)
  if (regex !== null) {
    for (const topic of topics.all()) if (regex.test(topic.name)) names.add(topic.name)
  }
  return names
}

/** The group's subscribed topics as ConsumerGroupPartitionMetadata stores them, sorted by name. */
export function computeSubscribedTopics(
  members: Iterable<ConsumerGroupMember>,
  topics: TopicsImage,
): SubscribedTopic[] {
  const names = new Set<string>()
  for (const member of members) for (const name of memberTopicNames(member, topics)) names.add(name)
  const out: SubscribedTopic[] = []
  for (const name of [...names].sort()) {
    const topic = topics.byName(name)
    if (topic !== undefined) out.push({ topicId: topic.topicId, topicName: name, numPartitions: topic.partitions })
  }
  return out
}

export function sameSubscribedTopics(a: readonly SubscribedTopic[], b: readonly SubscribedTopic[]): boolean {
  return (
    a.length === b.length &&
    a.every((t, i) => {
      const o = b[i]
      return (
        o !== undefined && o.topicId === t.topicId && o.topicName === t.topicName && o.numPartitions === t.numPartitions
      )
    })
  )
}
