// Layout of a v2 record batch header (Kafka's DefaultRecordBatch). The first 17 bytes (baseOffset, batchLength,
// partitionLeaderEpoch, magic) sit at the same place in every message format, which is what lets a record set
// with older entries still be walked entry by entry and the magic checked before anything else is read.

export const BASE_OFFSET_OFFSET = 0
export const BATCH_LENGTH_OFFSET = 8
export const PARTITION_LEADER_EPOCH_OFFSET = 12
export const MAGIC_OFFSET = 16
export const CRC_OFFSET = 17
export const ATTRIBUTES_OFFSET = 21
export const LAST_OFFSET_DELTA_OFFSET = 23
export const BASE_TIMESTAMP_OFFSET = 27
export const MAX_TIMESTAMP_OFFSET = 35
export const PRODUCER_ID_OFFSET = 43
export const PRODUCER_EPOCH_OFFSET = 51
export const BASE_SEQUENCE_OFFSET = 53
export const RECORDS_COUNT_OFFSET = 57

/** baseOffset + batchLength: the bytes that batchLength does not count. */
export const LOG_OVERHEAD = 12
/** The fixed header of a v2 batch; also the size of an empty batch. */
export const RECORD_BATCH_OVERHEAD = 61
/** The CRC covers [CRC_START, end of batch): everything after the crc field, so the broker may rewrite the fields before it. */
export const CRC_START = ATTRIBUTES_OFFSET
export const CURRENT_MAGIC = 2

export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const
export type Compression = (typeof Compression)[keyof typeof Compression]

export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType]

/** Bits of the int16 attributes field. Bits 7–15 are unused and must stay 0. */
export const BatchAttribute = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const

export const NO_PRODUCER_ID = -1n
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1
/** What Kafka's producer writes before the leader stamps its epoch (RecordBatch.NO_PARTITION_LEADER_EPOCH). */
export const NO_PARTITION_LEADER_EPOCH = -1
export const NO_TIMESTAMP = -1n

/** The default limit on the size of a decompressed batch: far above any sane batch, far below memory exhaustion. */
export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024

export function compressionName(codec: number): string {
  switch (codec) {
    case Compression.NONE:
      return 'none'
    case Compression.GZIP:
      return 'gzip'
    case Compression.SNAPPY:
      return 'snappy'
    case Compression.LZ4:
      return 'lz4'
    case Compression.ZSTD:
      return 'zstd'
    default:
      return `codec ${codec}`
  }
}
