// WriteTxnMarkers (27): v0-2.
// Behaviour: what a transaction coordinator sends the leaders of a transaction's partitions: each marker is appended
// as a COMMIT or ABORT control batch (Partition.appendTxnMarker; for __consumer_offsets through the group
// coordinator, so pending transactional offsets take effect). Per partition: INVALID_PRODUCER_EPOCH for an epoch
// older than the partition has seen, TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch,
// UNKNOWN_TOPIC_OR_PARTITION for a partition not hosted here. On one node the coordinator writes its markers
// in-process; this API is here for tools and for coordinators on other brokers.
// Not implemented: authorization (CLUSTER_ACTION).

import { WriteTxnMarkers } from '@samsa/protocol'
import { GROUP_METADATA_TOPIC } from '../coordinator/group/index.ts'
import { defineHandler } from '../server/handler.ts'

export const writeTxnMarkersHandler = defineHandler(
  WriteTxnMarkers,
  { minVersion: 0, maxVersion: 2 },
  {
    handle(req, ctx) {
      return {
        markers: req.markers.map((m) => {
          const marker = {
            producerId: m.producerId,
            producerEpoch: m.producerEpoch,
            coordinatorEpoch: m.coordinatorEpoch,
            committed: m.transactionResult,
          }
          return {
            producerId: m.producerId,
            topics: m.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => ({
                partitionIndex,
                errorCode:
                  t.name === GROUP_METADATA_TOPIC
                    ? ctx.broker.groups.completeTransaction(partitionIndex, marker)
                    : ctx.broker.partitions.appendTxnMarker(t.name, partitionIndex, marker),
              })),
            })),
          }
        }),
      }
    },
    errorResponse: (req, errorCode) => ({
      markers: req.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })),
        })),
      })),
    }),
  },
)
