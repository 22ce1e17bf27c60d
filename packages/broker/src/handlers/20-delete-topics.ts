// DeleteTopics (20): v1-6.
// Behaviour: deletes topics named by name (v1-5 topicNames; v6 topics[].name) or by id (v6 topics[].topicId),
// answering UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID for unknown ones, TOPIC_DELETION_DISABLED when
// delete.topic.enable is false, and INVALID_REQUEST for an entry with both a name and an id. The partitions' logs
// are removed (renamed, then deleted after file.delete.delay.ms) and waiting fetches on them answer at once.
// Not implemented: authorization, quotas.

import { DeleteTopics } from '@samsa/protocol'
import type { TopicRef } from '../metadata/index.ts'
import { defineHandler } from '../server/handler.ts'

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

function refs(
  req: { topics: { name: string | null; topicId: string }[]; topicNames: string[] },
  version: number,
): TopicRef[] {
  if (version < 6) return req.topicNames.map((name) => ({ name, topicId: null }))
  return req.topics.map((t) => ({ name: t.name, topicId: t.topicId === ZERO_UUID ? null : t.topicId }))
}

export const deleteTopicsHandler = defineHandler(
  DeleteTopics,
  { minVersion: 1, maxVersion: 6 },
  {
    async handle(req, ctx) {
      const results = await ctx.broker.topics.deleteTopics(refs(req, ctx.apiVersion))
      return {
        throttleTimeMs: 0,
        responses: results.map((r) => ({
          name: r.name,
          topicId: r.topicId,
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
        })),
      }
    },
    errorResponse: (req, errorCode, ctx) => ({
      throttleTimeMs: 0,
      responses: refs(req, ctx.apiVersion).map((r) => ({
        name: r.name,
        topicId: r.topicId ?? ZERO_UUID,
        errorCode,
        errorMessage: null,
      })),
    }),
  },
)
