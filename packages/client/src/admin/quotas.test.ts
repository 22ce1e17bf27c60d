// Client quotas against a scripted broker (Samsa's broker has no quota APIs yet): the filter and alterations are
// encoded as Kafka's admin client encodes them, and answers and per-entity errors come back by entity.

import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import { after, test } from 'node:test'
import {
  AlterClientQuotas,
  ApiVersions,
  decodeRequestBody,
  decodeRequestHeader,
  DescribeClientQuotas,
  ErrorCode,
  Metadata,
  type ApiSchema,
} from '@samsa/protocol'
import { isKafkaProtocolError } from '../errors.ts'
import { startFakeBroker, type SeenRequest } from '../testing.ts'
import { createAdmin } from './admin.ts'

const APIS: ApiSchema[] = [ApiVersions, Metadata, DescribeClientQuotas, AlterClientQuotas]
const servers: Server[] = []
after(() => {
  for (const s of servers) s.close()
})

function body<Rq>(api: ApiSchema<Rq, unknown>, request: SeenRequest): Rq {
  const header = decodeRequestHeader(request.frame, (key) => APIS.find((a) => a.key === key))
  return decodeRequestBody(api, request.version, request.frame, header.bodyOffset)
}

async function quotaBroker() {
  const seen: { describe: unknown[]; alter: unknown[] } = { describe: [], alter: [] }
  const fake = await startFakeBroker((request) => {
    switch (request.apiKey) {
      case ApiVersions.key:
        request.reply(
          ApiVersions,
          request.version,
          ApiVersions.response.make({
            apiKeys: APIS.map((a) => ({ apiKey: a.key, minVersion: 0, maxVersion: a.validVersions.max })),
          }),
        )
        return
      case Metadata.key:
        request.reply(
          Metadata,
          request.version,
          Metadata.response.make({ brokers: [{ nodeId: 1, host: '127.0.0.1', port: fake.port }], controllerId: 1 }),
        )
        return
      case DescribeClientQuotas.key:
        seen.describe.push(body(DescribeClientQuotas, request))
        request.reply(
          DescribeClientQuotas,
          request.version,
          DescribeClientQuotas.response.make({
            entries: [
              {
                entity: [{ entityType: 'user', entityName: 'alice' }],
                values: [{ key: 'producer_byte_rate', value: 1024 }],
              },
              {
                entity: [{ entityType: 'user', entityName: null }],
                values: [{ key: 'consumer_byte_rate', value: 5.5 }],
              },
            ],
          }),
        )
        return
      case AlterClientQuotas.key: {
        const rq = body(AlterClientQuotas, request)
        seen.alter.push(rq)
        request.reply(
          AlterClientQuotas,
          request.version,
          AlterClientQuotas.response.make({
            entries: rq.entries.map((e) => ({
              entity: e.entity,
              errorCode: e.ops.some((op) => op.key === 'bogus') ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE,
              errorMessage: null,
            })),
          }),
        )
        return
      }
    }
  })
  servers.push(fake.server)
  return { seen, bootstrapServers: `127.0.0.1:${fake.port}` }
}

test('describeClientQuotas sends the filter and returns entities with their values', async () => {
  const { seen, bootstrapServers } = await quotaBroker()
  const admin = createAdmin({ bootstrapServers, retryBackoffMs: 1 })
  try {
    const quotas = await admin.describeClientQuotas({
      components: [
        { entityType: 'user', match: 'alice' },
        { entityType: 'client-id', match: null },
        { entityType: 'ip' },
      ],
      strict: true,
    })
    assert.deepEqual(quotas, [
      { entity: { user: 'alice' }, values: { producer_byte_rate: 1024 } },
      { entity: { user: null }, values: { consumer_byte_rate: 5.5 } },
    ])
    assert.deepEqual(seen.describe[0], {
      strict: true,
      components: [
        { entityType: 'user', matchType: 0, match: 'alice' },
        { entityType: 'client-id', matchType: 1, match: null },
        { entityType: 'ip', matchType: 2, match: null },
      ],
    })
  } finally {
    await admin.close()
  }
})

test('alterClientQuotas sets and removes values; a refused entity is an error', async () => {
  const { seen, bootstrapServers } = await quotaBroker()
  const admin = createAdmin({ bootstrapServers, retryBackoffMs: 1 })
  try {
    await admin.alterClientQuotas({
      entries: [
        {
          entity: { user: 'alice', 'client-id': null },
          ops: [
            { key: 'producer_byte_rate', value: 2048 },
            { key: 'consumer_byte_rate', value: null },
          ],
        },
      ],
    })
    assert.deepEqual(seen.alter[0], {
      validateOnly: false,
      entries: [
        {
          entity: [
            { entityType: 'user', entityName: 'alice' },
            { entityType: 'client-id', entityName: null },
          ],
          ops: [
            { key: 'producer_byte_rate', value: 2048, remove: false },
            { key: 'consumer_byte_rate', value: 0, remove: true },
          ],
        },
      ],
    })
    await assert.rejects(
      admin.alterClientQuotas({ entries: [{ entity: { user: 'bob' }, ops: [{ key: 'bogus', value: 1 }] }] }),
      (e: unknown) => isKafkaProtocolError(e) && e.errorCode === ErrorCode.INVALID_REQUEST,
    )
  } finally {
    await admin.close()
  }
})
