// DeleteTopics (20): an admin asks the controller to delete topics. v0 is a pre-KIP-896 version Kafka 4 removed,
// kept for old clients. v1 adds throttleTimeMs (KIP-124); v2 only changes throttling (the broker answers before
// throttling, KIP-219) and v3 is wire-identical to v2; v4 is the first flexible version (KIP-482); v5 adds a
// per-topic error message and may answer THROTTLING_QUOTA_EXCEEDED (KIP-599); v6 names topics by id or by name
// through `topics`, replacing the plain `topicNames` list, and lets names be null in the response (KIP-516).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DeleteTopics = api({
  key: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: {
    // v6+: each entry carries either a name or a topic id (the other left null / zero).
    topics: f.array('6+', {
      name: f.string('6+', { nullableVersions: '6+', default: null, entity: 'topicName' }),
      topicId: f.uuid('6+'),
    }),
    topicNames: f.array('0-5', 'string', { entity: 'topicName', ignorable: true }),
    timeoutMs: f.int32('0+'),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    responses: f.array('0+', {
      // Null in v6+ when the request named the topic by id and the id is unknown.
      name: f.string('0+', { nullableVersions: '6+', mapKey: true, entity: 'topicName' }),
      topicId: f.uuid('6+', { ignorable: true }),
      errorCode: f.int16('0+'),
      errorMessage: f.string('5+', { nullableVersions: '5+', ignorable: true, default: null }),
    }),
  },
})

export type DeleteTopicsRequest = RequestOf<typeof DeleteTopics>
export type DeleteTopicsResponse = ResponseOf<typeof DeleteTopics>
