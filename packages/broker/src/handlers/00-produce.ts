// Produce (0): v0-12 advertised, v3-12 served; v0-2 close the connection (Kafka 4 does the same and advertises
// them only because librdkafka's feature detection needs Produce v0, KAFKA-18659).
// Behaviour: acks must be -1, 0 or 1 (INVALID_REQUIRED_ACKS per partition); each partition's record set is
// validated (PROTOCOL.md §2.4: one v2 batch, CRC, max.message.bytes, offset/count consistency, keyless records on
// compacted topics with per-record errors from v8) and appended with offsets and the leader epoch assigned and,
// for LogAppendTime topics, the append time stamped. With a single node the ISR is {self}: acks=all is satisfied
// on append unless min.insync.replicas exceeds it (NOT_ENOUGH_REPLICAS). acks=0 sends no response; if any
// partition failed, the connection is closed instead so the client refreshes its metadata. Idempotent batches
// (producerId >= 0) are checked against the partition's producer state (KIP-98): a retry of one of the producer's
// last five batches is answered with its original base offset and not written again; OUT_OF_ORDER_SEQUENCE_NUMBER,
// INVALID_PRODUCER_EPOCH otherwise (partitions/producer-state-validation.ts).
// Transactional batches (KIP-98) must belong to a transaction that includes the partition (INVALID_TXN_STATE
// otherwise); v12 comes from a transactions-v2 client (KIP-890 part 2), whose first write to a partition adds it to
// the transaction instead.
// The segment write may finish on the storage's background writer: the answer waits until every append it
// reports is written (a failed write answers KAFKA_STORAGE_ERROR). Storage then keeps nothing of the request, so
// its frame is recycled for a later request (RequestContext.releaseRequest).
// Not implemented: authorization, quotas, topic ids (v13).

import { ErrorCode, Produce, type ProduceResponse } from '@samsa/protocol'
import { CLOSE, NO_RESPONSE, defineHandler } from '../server/handler.ts'

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number]

const NO_LEADER = { leaderId: -1, leaderEpoch: -1 }

function failedPartition(index: number, errorCode: number): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage: null,
    currentLeader: NO_LEADER,
  }
}

export const produceHandler = defineHandler(
  Produce,
  { minVersion: 0, maxVersion: 12, acceptMinVersion: 3 },
  {
    handle(req, ctx) {
      const { partitions } = ctx.broker
      const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1
      let failed = false
      const written: Promise<number>[] = []
      const appended: PartitionResponse[] = []
      const responses = req.topicData.map((topic) => ({
        name: topic.name,
        topicId: topic.topicId,
        partitionResponses: topic.partitionData.map((p): PartitionResponse => {
          if (!validAcks) {
            failed = true
            return failedPartition(p.index, ErrorCode.INVALID_REQUIRED_ACKS)
          }
          const result = partitions.appendRecords(topic.name, p.index, p.records, req.acks, ctx.apiVersion)
          if (result.errorCode !== ErrorCode.NONE) failed = true
          if (result.written !== undefined) written.push(result.written)
          const response: PartitionResponse = {
            index: p.index,
            errorCode: result.errorCode,
            baseOffset: result.baseOffset,
            logAppendTimeMs: result.logAppendTimeMs,
            logStartOffset: result.logStartOffset,
            recordErrors: result.recordErrors,
            errorMessage: result.errorMessage,
            currentLeader: NO_LEADER,
          }
          if (result.errorCode === ErrorCode.NONE) appended.push(response)
          return response
        }),
      }))
      // Storage copied every append into its writer ring (or wrote it): the request's memory can take the next one.
      if (partitions.backgroundAppends) ctx.releaseRequest()
      if (req.acks === 0) return failed ? CLOSE : NO_RESPONSE
      const answer = { responses, throttleTimeMs: 0, nodeEndpoints: [] }
      if (appended.length === 0 || !partitions.backgroundAppends) return answer
      // Acknowledge only what is written: each partition's append (whose promise also moves its high watermark),
      // and every append before them, which covers a retried batch answered as a duplicate whose first write is
      // still under way.
      return Promise.all([partitions.appendsWritten(), ...written]).then(([errorCode]) => {
        if (errorCode !== ErrorCode.NONE)
          for (const r of appended) Object.assign(r, failedPartition(r.index, errorCode))
        return answer
      })
    },
    errorResponse: (req, errorCode) =>
      req.acks === 0
        ? CLOSE
        : {
            responses: req.topicData.map((topic) => ({
              name: topic.name,
              topicId: topic.topicId,
              partitionResponses: topic.partitionData.map((p) => failedPartition(p.index, errorCode)),
            })),
            throttleTimeMs: 0,
            nodeEndpoints: [],
          },
  },
)
