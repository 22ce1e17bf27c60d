// npm run bench:protocol — the codec's hot paths, written to bench/results/protocol.md:
// - a Produce request carrying 1,000 × 100-byte records (one batch): build the batch, encode the request, decode
//   it, and decode the records inside;
// - a 1 MB Fetch response (many partitions of real batches): encode (records spliced in as chunks) and decode;
//   and a check that decoding hands back views into the frame instead of copying the record bytes;
// - CRC-32C MB/s over a 1 MiB buffer and over one 100-record batch;
// - RecordBatchView header reads and validate() ops/s.
// Targets (issue 2): CRC-32C ≥ 2 GB/s; the Fetch decode must not copy record bytes.

import {
  buildRecordBatch,
  codecFor,
  crc32c,
  decodeBatchRecords,
  Fetch,
  Produce,
  RecordBatchView,
  splitBatches,
  type FetchResponse,
  type ProduceRequest,
} from '@samsa/protocol'
import { formatTable, measure, writeResults, type Measurement } from './harness.ts'

const rows: Measurement[] = []
const value = Buffer.alloc(100, 'x')

// --- Produce: 1,000 × 100-byte records -------------------------------------------------------------------------
const records = Array.from({ length: 1000 }, () => ({ value, timestamp: 1_700_000_000_000 }))
const batch = buildRecordBatch({ records })
const produceCodec = codecFor(Produce, 'request', 9)
const produce: ProduceRequest = Produce.request.make({
  acks: -1,
  timeoutMs: 30000,
  topicData: [{ name: 'bench', partitionData: [{ index: 0, records: batch }] }],
})
const produceFrame = produceCodec.encodeToBuffer(produce)
const produceBytes = produceFrame.length

rows.push(
  measure('build batch 1,000 × 100 B (uncompressed)', () => buildRecordBatch({ records }), {
    bytesPerOp: batch.length,
  }),
)
rows.push(
  measure('encode Produce v9 request (1 batch, 1,000 records)', () => produceCodec.encode(produce), {
    bytesPerOp: produceBytes,
  }),
)
rows.push(measure('decode Produce v9 request', () => produceCodec.decode(produceFrame), { bytesPerOp: produceBytes }))
rows.push(
  measure('decode the 1,000 records of the batch', () => decodeBatchRecords(new RecordBatchView(batch)), {
    bytesPerOp: batch.length,
    note: '1,000 records per op',
  }),
)

// --- Fetch: ~1 MB response -------------------------------------------------------------------------------------
const fetchCodec = codecFor(Fetch, 'response', 12)
const partitionBatches = Array.from({ length: 64 }, (_, i) =>
  buildRecordBatch({ records: records.slice(0, 150), baseOffset: BigInt(i * 150) }),
)
const fetchResponse: FetchResponse = Fetch.response.make({
  responses: [
    {
      topic: 'bench',
      partitions: partitionBatches.map((records, partitionIndex) => ({
        partitionIndex,
        highWatermark: 1_000_000n,
        lastStableOffset: 1_000_000n,
        logStartOffset: 0n,
        records,
      })),
    },
  ],
})
const fetchFrame = fetchCodec.encodeToBuffer(fetchResponse)
const fetchBytes = fetchFrame.length
rows.push(
  measure(
    `encode Fetch v12 response (${(fetchBytes / 1e6).toFixed(2)} MB, 64 partitions)`,
    () => fetchCodec.encode(fetchResponse),
    { bytesPerOp: fetchBytes, note: 'records spliced as chunks' },
  ),
)
rows.push(measure('decode Fetch v12 response', () => fetchCodec.decode(fetchFrame), { bytesPerOp: fetchBytes }))

// Zero-copy check: every decoded `records` field must be a view into the frame's memory.
const decodedFetch = fetchCodec.decode(fetchFrame)
let views = 0
let copies = 0
for (const topic of decodedFetch.responses) {
  for (const partition of topic.partitions) {
    const r = partition.records
    if (r === null) continue
    const inside =
      r.buffer === fetchFrame.buffer &&
      r.byteOffset >= fetchFrame.byteOffset &&
      r.byteOffset + r.length <= fetchFrame.byteOffset + fetchFrame.length
    if (inside) views++
    else copies++
  }
}
const encodedChunks = fetchCodec.encode(fetchResponse)
const splicedBatches = encodedChunks.filter((chunk) => partitionBatches.includes(chunk)).length

// --- CRC-32C and batch header views ------------------------------------------------------------------------------
const mib = Buffer.alloc(1024 * 1024, 7)
rows.push(measure('CRC-32C over 1 MiB', () => crc32c(mib), { bytesPerOp: mib.length }))
rows.push(measure(`CRC-32C over one batch (${batch.length} B)`, () => crc32c(batch), { bytesPerOp: batch.length }))
rows.push(
  measure('RecordBatchView: construct + read 6 header fields', () => {
    const view = new RecordBatchView(batch)
    return (
      view.baseOffset +
      view.producerId +
      BigInt(view.lastOffsetDelta + view.recordsCount + view.attributes + view.baseSequence)
    )
  }),
)
rows.push(
  measure('RecordBatchView.validate() (CRC over the batch)', () => new RecordBatchView(batch).validate(), {
    bytesPerOp: batch.length,
  }),
)
const set = Buffer.concat(partitionBatches)
rows.push(measure('splitBatches over 64 batches', () => splitBatches(set), { bytesPerOp: set.length }))

const crcRow = rows.find((r) => r.name === 'CRC-32C over 1 MiB')
const crcGBs = crcRow ? (crcRow.opsPerSec * (crcRow.bytesPerOp ?? 0)) / 1e9 : 0
const summary = [
  formatTable(rows),
  '',
  '## Targets',
  '',
  `- CRC-32C ≥ 2 GB/s: **${crcGBs.toFixed(2)} GB/s** over 1 MiB — ${crcGBs >= 2 ? 'met' : 'NOT met'}.`,
  `- Fetch decode copies no record bytes: ${views} of ${views + copies} decoded \`records\` fields are views into the frame — ${copies === 0 ? 'met' : 'NOT met'}.`,
  `- Fetch encode splices the ${partitionBatches.length} stored batches as separate chunks without copying: ${splicedBatches} of ${partitionBatches.length} batches appear by identity in the ${encodedChunks.length} output chunks.`,
].join('\n')

console.log(summary)
writeResults('bench/results/protocol.md', 'Protocol codec benchmark', 'npm run bench:protocol', summary)
