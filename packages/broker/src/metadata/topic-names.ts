// Kafka's topic name rules (org.apache.kafka.common.internals.Topic): 1-249 characters from [a-zA-Z0-9._-], not
// "." or "..". Names that differ only by '.' versus '_' collide, because both map to the same metric name.

export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets'
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state'

/** Why the name is not a legal topic name, or null. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty"
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  }
  return null
}

export function isInternalTopic(name: string): boolean {
  return name === GROUP_METADATA_TOPIC_NAME || name === TRANSACTION_STATE_TOPIC_NAME
}

/** The name with '.' replaced by '_': two topics with the same form collide. */
export function unifyCollisionChars(name: string): string {
  return name.replaceAll('.', '_')
}
