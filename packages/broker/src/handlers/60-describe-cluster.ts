// DescribeCluster (60): v0-2.
// Behaviour: cluster id, controller id and the registered brokers on the listener the request came in on
// (KIP-700); v1's endpointType 2 (controllers, KIP-919) lists the same node, since broker and controller run
// together; v2 lists fenced brokers only when includeFencedBrokers (KIP-1073). Authorized operations are
// everything when asked for (no authorizer yet).
// Not implemented: separate controller listeners, authorization.

import { DescribeCluster, ErrorCode } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS } from './authorized-operations.ts'

export const describeClusterHandler = defineHandler(
  DescribeCluster,
  { minVersion: 0, maxVersion: 2 },
  {
    handle(req, ctx) {
      const { metadata } = ctx.broker
      const brokers = metadata
        .brokers()
        .filter((b) => !b.isFenced || req.includeFencedBrokers)
        .flatMap((b) => {
          const endpoint = ctx.broker.endpointOf(b.nodeId, ctx.connection.listenerName)
          return endpoint === undefined
            ? []
            : [{ brokerId: b.nodeId, host: endpoint.host, port: endpoint.port, rack: b.rack, isFenced: b.isFenced }]
        })
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        endpointType: req.endpointType,
        clusterId: ctx.broker.clusterId,
        controllerId: metadata.controllerId(),
        brokers,
        clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
          ? CLUSTER_OPERATIONS
          : AUTHORIZED_OPERATIONS_OMITTED,
      }
    },
    errorResponse: (req, errorCode, ctx) => ({
      ...DescribeCluster.response.make(),
      errorCode,
      endpointType: req.endpointType,
      clusterId: ctx.broker.clusterId,
    }),
  },
)
