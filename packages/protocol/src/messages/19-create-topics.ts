// CreateTopics (19): an admin asks the controller to create topics, either with a partition count and replication
// factor or with an explicit replica assignment, plus per-topic config overrides (KIP-4). v0 and v1 are
// pre-KIP-896 versions Kafka 4 removed, kept for old clients. v1 adds validateOnly (a dry run) and a per-topic
// error message (KIP-108); v2 adds throttleTimeMs; v3 only changes throttling (the broker answers before
// throttling, KIP-219); v4 lets numPartitions and replicationFactor be -1 to take the broker defaults (KIP-464);
// v5 is the first flexible version (KIP-482) and returns the resulting partition count, replication factor and
// configs (KIP-525); v6 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599); v7 returns each new topic's id (KIP-516).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const CreateTopics = api({
  key: 19,
  name: 'CreateTopics',
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: {
    topics: f.array('0+', {
      name: f.string('0+', { mapKey: true, entity: 'topicName' }),
      // -1 (v4+) means "use the broker's default"; with explicit assignments both must be -1.
      numPartitions: f.int32('0+'),
      replicationFactor: f.int16('0+'),
      assignments: f.array('0+', {
        partitionIndex: f.int32('0+', { mapKey: true }),
        brokerIds: f.array('0+', 'int32', { entity: 'brokerId' }),
      }),
      configs: f.array('0+', {
        name: f.string('0+', { mapKey: true }),
        value: f.string('0+', { nullableVersions: '0+' }),
      }),
    }),
    // Kafka's spec spells these two in lower camel case already; the wire is unaffected.
    timeoutMs: f.int32('0+', { default: 60000 }),
    validateOnly: f.bool('1+'),
  },
  response: {
    throttleTimeMs: f.int32('2+', { ignorable: true }),
    topics: f.array('0+', {
      name: f.string('0+', { mapKey: true, entity: 'topicName' }),
      topicId: f.uuid('7+', { ignorable: true }),
      errorCode: f.int16('0+'),
      errorMessage: f.string('1+', { nullableVersions: '0+', ignorable: true }),
      topicConfigErrorCode: f.int16('5+', { tag: 0, taggedVersions: '5+', ignorable: true }),
      numPartitions: f.int32('5+', { default: -1, ignorable: true }),
      replicationFactor: f.int16('5+', { default: -1, ignorable: true }),
      // Null when the caller may not describe the topic's configs (KIP-525).
      configs: f.array(
        '5+',
        {
          name: f.string('5+'),
          value: f.string('5+', { nullableVersions: '5+' }),
          readOnly: f.bool('5+'),
          configSource: f.int8('5+', { default: -1, ignorable: true }),
          isSensitive: f.bool('5+'),
        },
        { nullableVersions: '5+', ignorable: true },
      ),
    }),
  },
})

export type CreateTopicsRequest = RequestOf<typeof CreateTopics>
export type CreateTopicsResponse = ResponseOf<typeof CreateTopics>
