// partition.metadata (KIP-516): the topic id a partition directory belongs to, so that a directory left over from a
// deleted topic of the same name is never mistaken for the new topic's. Kafka's format, verbatim:
//   version: 0
//   topic_id: <base64url topic id>

import { MalformedCheckpointError } from './checkpoint-file.ts'

export const PARTITION_METADATA_FILE = 'partition.metadata'

export function formatPartitionMetadata(topicId: string): Buffer {
  return Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8')
}

/** The topic id. Throws MalformedCheckpointError. */
export function parsePartitionMetadata(content: Buffer): string {
  const [versionLine, topicIdLine] = content.toString('utf8').split('\n')
  const version = /^version: (\d+)$/.exec(versionLine ?? '')
  const topicId = /^topic_id: (\S+)$/.exec(topicIdLine ?? '')
  if (version?.[1] !== '0' || topicId?.[1] === undefined) {
    throw new MalformedCheckpointError(`malformed ${PARTITION_METADATA_FILE}: ${JSON.stringify(content.toString())}`)
  }
  return topicId[1]
}
