// AlterReplicaLogDirs (34): an admin moves partition replicas between the log directories of one broker (JBOD,
// KIP-113). v0 is a pre-KIP-896 version that Kafka 4 dropped, kept for old clients; v1 changes only throttling (the
// broker answers before throttling, KIP-219); v2 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const AlterReplicaLogDirs = api({
  key: 34,
  name: 'AlterReplicaLogDirs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    dirs: f.array('0+', {
      path: f.string('0+', { mapKey: true }),
      topics: f.array('0+', {
        name: f.string('0+', { mapKey: true, entity: 'topicName' }),
        partitions: f.array('0+', 'int32'),
      }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    results: f.array('0+', {
      topicName: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
      }),
    }),
  },
})

export type AlterReplicaLogDirsRequest = RequestOf<typeof AlterReplicaLogDirs>
export type AlterReplicaLogDirsResponse = ResponseOf<typeof AlterReplicaLogDirs>
