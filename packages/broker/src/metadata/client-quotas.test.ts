// Client quotas over the wire (KIP-546): AlterClientQuotas validation and storage, DescribeClientQuotas matching
// (exact, default, any, strict), removal, and persistence across a restart.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Connection } from '@samsa/net'
import { AlterClientQuotas, DescribeClientQuotas, ErrorCode } from '@samsa/protocol'
import { startTestBroker } from '../testing.ts'

type Entity = { entityType: string; entityName: string | null }[]
type Op = { key: string; value: number; remove?: boolean }

async function alter(conn: Connection, entries: { entity: Entity; ops: Op[] }[], validateOnly = false) {
  const res = await conn.request(
    AlterClientQuotas,
    1,
    AlterClientQuotas.request.make({
      validateOnly,
      entries: entries.map((e) => ({ entity: e.entity, ops: e.ops.map((o) => ({ remove: false, ...o })) })),
    }),
  )
  return res.entries.map((e) => [e.errorCode, e.errorMessage])
}

async function describe(
  conn: Connection,
  components: { entityType: string; matchType: number; match?: string }[],
  strict = false,
) {
  const res = await conn.request(
    DescribeClientQuotas,
    1,
    DescribeClientQuotas.request.make({ strict, components: components.map((c) => ({ match: null, ...c })) }),
  )
  if (res.errorCode !== ErrorCode.NONE) return res.errorMessage
  return (res.entries ?? [])
    .map(
      (e) =>
        `${e.entity.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(',')}: ${e.values.map((v) => `${v.key}=${v.value}`).join(',')}`,
    )
    .sort()
}

test('client quotas: alter with validation, describe by exact/default/any/strict, remove, persist', async () => {
  let tb = await startTestBroker()
  try {
    let conn = await tb.connect()
    const user = (name: string | null) => ({ entityType: 'user', entityName: name })
    const client = (name: string | null) => ({ entityType: 'client-id', entityName: name })
    assert.deepEqual(
      await alter(conn, [
        { entity: [user('alice')], ops: [{ key: 'producer_byte_rate', value: 1024 }] },
        { entity: [client('app'), user('alice')], ops: [{ key: 'request_percentage', value: 12.5 }] },
        { entity: [client(null)], ops: [{ key: 'consumer_byte_rate', value: 4096 }] },
        {
          entity: [{ entityType: 'ip', entityName: '10.0.0.1' }],
          ops: [{ key: 'connection_creation_rate', value: 10 }],
        },
        { entity: [user('bob')], ops: [{ key: 'no_such_quota', value: 1 }] },
        { entity: [user('bob')], ops: [{ key: 'producer_byte_rate', value: 1.5 }] },
        {
          entity: [{ entityType: 'ip', entityName: 'not-an-ip' }],
          ops: [{ key: 'connection_creation_rate', value: 1 }],
        },
        {
          entity: [user('bob'), { entityType: 'ip', entityName: null }],
          ops: [{ key: 'producer_byte_rate', value: 1 }],
        },
      ]),
      [
        [ErrorCode.NONE, null],
        [ErrorCode.NONE, null],
        [ErrorCode.NONE, null],
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, 'Invalid configuration key no_such_quota'],
        [ErrorCode.INVALID_REQUEST, 'Configuration producer_byte_rate must be a Long value'],
        [ErrorCode.INVALID_REQUEST, 'not-an-ip is not a valid IP address'],
        [ErrorCode.INVALID_REQUEST, 'Invalid quota entity combination: ip cannot be combined with user or client-id'],
      ],
    )
    assert.deepEqual(
      await alter(conn, [{ entity: [user('carol')], ops: [{ key: 'producer_byte_rate', value: 1 }] }], true),
      [[ErrorCode.NONE, null]],
    )
    assert.deepEqual(await describe(conn, [{ entityType: 'user', matchType: 0, match: 'alice' }]), [
      'client-id=app,user=alice: request_percentage=12.5',
      'user=alice: producer_byte_rate=1024',
    ])
    assert.deepEqual(await describe(conn, [{ entityType: 'user', matchType: 0, match: 'alice' }], true), [
      'user=alice: producer_byte_rate=1024',
    ])
    assert.deepEqual(await describe(conn, [{ entityType: 'client-id', matchType: 1 }]), [
      'client-id=<default>: consumer_byte_rate=4096',
    ])
    assert.deepEqual(await describe(conn, [{ entityType: 'ip', matchType: 2 }]), [
      'ip=10.0.0.1: connection_creation_rate=10',
    ])
    assert.equal(
      await describe(conn, [{ entityType: 'group', matchType: 2 }]),
      'Custom entity type group not supported',
    )

    assert.deepEqual(
      await alter(conn, [{ entity: [user('alice')], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }]),
      [[ErrorCode.NONE, null]],
    )
    await tb.stop(false)
    tb = await startTestBroker({ dir: tb.dir })
    conn = await tb.connect()
    assert.deepEqual(await describe(conn, []), [
      'client-id=<default>: consumer_byte_rate=4096',
      'client-id=app,user=alice: request_percentage=12.5',
      'ip=10.0.0.1: connection_creation_rate=10',
    ])
  } finally {
    await tb.stop()
  }
})
