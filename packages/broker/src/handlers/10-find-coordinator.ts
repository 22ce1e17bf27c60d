// FindCoordinator (10): v0-6.
// Behaviour: a single-node cluster coordinates every group and every transactional id itself, so each key is
// answered with this broker's address on the listener the request came in on. v0-3 carry one key (v0 implies a
// group); v4+ batch keys (KIP-699) with an answer per key. An empty transactional id is INVALID_REQUEST; share
// groups (key type 2, KIP-932) and unknown key types are INVALID_REQUEST.
// It matters beyond groups too: librdkafka enables LZ4 compression
// only when FindCoordinator is advertised (its LZ4 feature depends on FindCoordinator, see rdkafka_feature.c); without it
// kcat and every librdkafka binding silently send lz4 batches uncompressed.
// Transactional ids create `__transaction_state` on their first lookup, as group ids create __consumer_offsets.

import { ErrorCode, FindCoordinator, type FindCoordinatorResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import type { RequestContext } from '../server/request-context.ts'

const KEY_TYPE_GROUP = 0
const KEY_TYPE_TRANSACTION = 1

interface Answer {
  errorCode: number
  errorMessage: string | null
  nodeId: number
  host: string
  port: number
}

function answer(key: string, keyType: number, ctx: RequestContext): Answer {
  const refuse = (errorMessage: string): Answer => ({
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage,
    nodeId: -1,
    host: '',
    port: -1,
  })
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) {
    return refuse(`coordinator key type ${keyType} is not supported`)
  }
  if (keyType === KEY_TYPE_TRANSACTION && key === '') return refuse('the transactional id is empty')
  const endpoint = ctx.broker.endpointOf(ctx.broker.nodeId, ctx.connection.listenerName)
  if (endpoint === undefined) {
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.broker.nodeId, ...endpoint }
}

export const findCoordinatorHandler = defineHandler(
  FindCoordinator,
  { minVersion: 0, maxVersion: 6 },
  {
    async handle(req, ctx): Promise<FindCoordinatorResponse> {
      const keyType = ctx.apiVersion === 0 ? KEY_TYPE_GROUP : req.keyType
      // Kafka creates __consumer_offsets when a group coordinator is first looked up; a failure to create it
      // answers COORDINATOR_NOT_AVAILABLE (retriable), through errorResponse.
      if (keyType === KEY_TYPE_GROUP) await ctx.broker.groups.prepare()
      if (keyType === KEY_TYPE_TRANSACTION) await ctx.broker.transactions.prepare()
      const response = FindCoordinator.response.make()
      if (ctx.apiVersion >= 4) {
        response.coordinators = req.coordinatorKeys.map((key) => ({ key, ...answer(key, req.keyType, ctx) }))
        return response
      }
      return { ...response, ...answer(req.key, keyType, ctx) }
    },
    errorResponse: (req, errorCode) => {
      const response = FindCoordinator.response.make()
      response.errorCode = errorCode
      response.nodeId = -1
      response.port = -1
      response.coordinators = req.coordinatorKeys.map((key) => ({
        key,
        nodeId: -1,
        host: '',
        port: -1,
        errorCode,
        errorMessage: null,
      }))
      return response
    },
  },
)
