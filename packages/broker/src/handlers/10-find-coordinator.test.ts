// FindCoordinator against a real broker: single keys (v0-3), batched keys (v4+), and the refused key types.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ErrorCode, FindCoordinator } from '@samsa/protocol'
import { startTestBroker, type TestBroker } from '../testing.ts'

let tb: TestBroker
before(async () => {
  tb = await startTestBroker()
})
after(async () => {
  await tb.stop()
})

test('every version names this broker as the coordinator of groups and transactional ids', async () => {
  const conn = await tb.connect()
  for (let version = 0; version <= 3; version++) {
    for (const keyType of version === 0 ? [0] : [0, 1]) {
      const res = await conn.request(FindCoordinator, version, FindCoordinator.request.make({ key: 'orders', keyType }))
      assert.equal(res.errorCode, ErrorCode.NONE, `v${version} keyType ${keyType}`)
      assert.deepEqual([res.nodeId, res.host, res.port], [tb.broker.nodeId, tb.broker.host, tb.broker.port])
    }
  }
  for (let version = 4; version <= 6; version++) {
    const res = await conn.request(
      FindCoordinator,
      version,
      FindCoordinator.request.make({ keyType: 0, coordinatorKeys: ['a', 'b', ''] }),
    )
    assert.deepEqual(
      res.coordinators.map((c) => [c.key, c.errorCode, c.nodeId, c.port]),
      ['a', 'b', ''].map((key) => [key, ErrorCode.NONE, tb.broker.nodeId, tb.broker.port]),
    )
  }
  await conn.close()
})

test('an empty transactional id and unsupported key types are INVALID_REQUEST', async () => {
  const conn = await tb.connect()
  const txn = await conn.request(FindCoordinator, 3, FindCoordinator.request.make({ key: '', keyType: 1 }))
  assert.equal(txn.errorCode, ErrorCode.INVALID_REQUEST)
  const share = await conn.request(
    FindCoordinator,
    6,
    FindCoordinator.request.make({ keyType: 2, coordinatorKeys: ['g:t:0'] }),
  )
  assert.equal(share.coordinators[0]?.errorCode, ErrorCode.INVALID_REQUEST)
  await conn.close()
})
