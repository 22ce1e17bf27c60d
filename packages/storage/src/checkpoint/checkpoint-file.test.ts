import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  MalformedCheckpointError,
  formatLeaderEpochCheckpoint,
  formatOffsetCheckpoint,
  parseLeaderEpochCheckpoint,
  parseOffsetCheckpoint,
} from './checkpoint-file.ts'
import { formatMetaProperties, parseMetaProperties } from './meta-properties.ts'
import { formatPartitionMetadata, parsePartitionMetadata } from './partition-metadata.ts'

describe('checkpoint files in Kafka text format', () => {
  test('offset checkpoints: version, count, then `topic partition offset` lines', () => {
    const content = formatOffsetCheckpoint([
      { topic: 'orders', partition: 0, offset: 42n },
      { topic: 'my.topic-x', partition: 11, offset: 9007199254740993n },
    ])
    assert.equal(content.toString(), '0\n2\norders 0 42\nmy.topic-x 11 9007199254740993\n')
    const parsed = parseOffsetCheckpoint(content)
    assert.deepEqual(parsed.get('my.topic-x-11'), { topic: 'my.topic-x', partition: 11, offset: 9007199254740993n })
    assert.deepEqual(parseOffsetCheckpoint(Buffer.from('0\n0\n')).size, 0)
  })

  test('malformed checkpoints are reported, not half-read', () => {
    for (const text of ['', '1\n0\n', '0\n2\norders 0 1\n', '0\n1\norders x 1\n', '0\n1\norders 0\n']) {
      assert.throws(() => parseOffsetCheckpoint(Buffer.from(text)), MalformedCheckpointError, JSON.stringify(text))
    }
  })

  test('leader-epoch-checkpoint: `epoch startOffset` lines', () => {
    const content = formatLeaderEpochCheckpoint([
      { epoch: 0, startOffset: 0n },
      { epoch: 3, startOffset: 120n },
    ])
    assert.equal(content.toString(), '0\n2\n0 0\n3 120\n')
    assert.deepEqual(parseLeaderEpochCheckpoint(content), [
      { epoch: 0, startOffset: 0n },
      { epoch: 3, startOffset: 120n },
    ])
  })

  test('partition.metadata and meta.properties', () => {
    const metadata = formatPartitionMetadata('vHd5NCxVQLmFAd5kMKoI1A')
    assert.equal(metadata.toString(), 'version: 0\ntopic_id: vHd5NCxVQLmFAd5kMKoI1A\n')
    assert.equal(parsePartitionMetadata(metadata), 'vHd5NCxVQLmFAd5kMKoI1A')
    const meta = { clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', nodeId: 1, directoryId: 'AAAAAAAAAAAAAAAAAAAAAQ' }
    const properties = formatMetaProperties(meta, 0)
    assert.match(
      properties.toString(),
      /^#\n#.*\ncluster.id=MkU3OEVBNTcwNTJENDM2Qg\ndirectory.id=.*\nnode.id=1\nversion=1\n$/,
    )
    assert.deepEqual(parseMetaProperties(properties), meta)
  })
})
