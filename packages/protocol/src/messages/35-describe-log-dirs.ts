// DescribeLogDirs (35): lists a broker's log directories and the size and lag of each replica stored in them
// (JBOD, KIP-113); a null topic list asks about every partition. v0 is a pre-KIP-896 version Kafka 4 dropped,
// kept for old clients; v1 changes only throttling (KIP-219); v2 is the first flexible version (KIP-482); v3 adds
// a top-level errorCode; v4 reports each directory's total and usable bytes (KIP-827); v5 flags cordoned
// directories that take no new replicas (isCordoned).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeLogDirs = api({
  key: 35,
  name: 'DescribeLogDirs',
  validVersions: '0-5',
  flexibleVersions: '2+',
  request: {
    topics: f.array(
      '0+',
      {
        topic: f.string('0+', { entity: 'topicName', mapKey: true }),
        partitions: f.array('0+', 'int32'),
      },
      { nullableVersions: '0+' },
    ),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('3+', { ignorable: true }),
    results: f.array('0+', {
      errorCode: f.int16('0+'),
      logDir: f.string('0+'),
      topics: f.array('0+', {
        name: f.string('0+', { entity: 'topicName' }),
        partitions: f.array('0+', {
          partitionIndex: f.int32('0+'),
          partitionSize: f.int64('0+'),
          offsetLag: f.int64('0+'),
          isFutureKey: f.bool('0+'),
        }),
      }),
      totalBytes: f.int64('4+', { ignorable: true, default: -1n }),
      usableBytes: f.int64('4+', { ignorable: true, default: -1n }),
      isCordoned: f.bool('5+', { ignorable: true, default: false }),
    }),
  },
})

export type DescribeLogDirsRequest = RequestOf<typeof DescribeLogDirs>
export type DescribeLogDirsResponse = ResponseOf<typeof DescribeLogDirs>
