import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AddPartitionsToTxn, CreateTopics, EndTxn, Fetch, Metadata, Produce, TxnOffsetCommit } from '@samsa/protocol'
import { clientRange, negotiateVersion } from './versions.ts'

test('picks the highest version both sides support', () => {
  const broker = new Map([
    [Metadata.key, { min: 0, max: 99 }],
    [CreateTopics.key, { min: 2, max: 5 }],
  ])
  assert.equal(negotiateVersion(Metadata, broker), Metadata.validVersions.max)
  assert.equal(negotiateVersion(CreateTopics, broker), 5)
})

test('no common version, or an API the broker lacks, gives null', () => {
  assert.equal(negotiateVersion(Produce, new Map([[Produce.key, { min: 0, max: 2 }]])), null)
  assert.equal(negotiateVersion(Fetch, new Map()), null)
})

test('client caps narrow the schema range where semantics are not implemented', () => {
  assert.deepEqual(clientRange(Produce), { min: 3, max: 11 })
  assert.equal(negotiateVersion(Fetch, new Map([[Fetch.key, { min: 4, max: 17 }]])), 12)
})

test('transactions stay on v1 (KIP-890 part 2 is not spoken) and on the client shape of AddPartitionsToTxn', () => {
  assert.equal(negotiateVersion(EndTxn, new Map([[EndTxn.key, { min: 0, max: 5 }]])), 4)
  assert.equal(negotiateVersion(TxnOffsetCommit, new Map([[TxnOffsetCommit.key, { min: 0, max: 5 }]])), 4)
  assert.equal(negotiateVersion(AddPartitionsToTxn, new Map([[AddPartitionsToTxn.key, { min: 0, max: 5 }]])), 3)
})
