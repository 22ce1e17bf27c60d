// DescribeCluster (60): admin clients learn the cluster id, the controller and the brokers (KIP-700, which moved
// this out of Metadata), optionally with the caller's cluster-level authorized operations. Flexible from v0.
// v1 adds endpointType so a client can ask for controller endpoints instead of broker ones (KIP-919); v2 can
// include fenced brokers and marks them with isFenced (KIP-1073).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeCluster = api({
  key: 60,
  name: 'DescribeCluster',
  validVersions: '0-2',
  flexibleVersions: '0+',
  request: {
    includeClusterAuthorizedOperations: f.bool('0+'),
    // 1 = brokers, 2 = controllers.
    endpointType: f.int8('1+', { default: 1 }),
    includeFencedBrokers: f.bool('2+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+', default: null }),
    endpointType: f.int8('1+', { default: 1 }),
    clusterId: f.string('0+'),
    controllerId: f.int32('0+', { default: -1, entity: 'brokerId' }),
    brokers: f.array('0+', {
      brokerId: f.int32('0+', { mapKey: true, entity: 'brokerId' }),
      host: f.string('0+'),
      port: f.int32('0+'),
      rack: f.string('0+', { nullableVersions: '0+', default: null }),
      isFenced: f.bool('2+'),
    }),
    // INT32_MIN means the operations were not requested.
    clusterAuthorizedOperations: f.int32('0+', { default: -2147483648 }),
  },
})

export type DescribeClusterRequest = RequestOf<typeof DescribeCluster>
export type DescribeClusterResponse = ResponseOf<typeof DescribeCluster>
