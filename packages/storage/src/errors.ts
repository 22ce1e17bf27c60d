// The errors storage throws on input it refuses. Each is a KafkaError carrying the Kafka error code the broker
// puts in the partition's response (error.code), so the broker maps them without a table of its own. Anything else
// thrown from storage is an I/O failure or a bug.

import { ErrorCode, KafkaError } from '@samsa/protocol'

/** A fetch, ListOffsets or DeleteRecords offset outside [logStartOffset, logEndOffset] (OFFSET_OUT_OF_RANGE). */
export class OffsetOutOfRangeError extends KafkaError {
  readonly offset: bigint
  readonly logStartOffset: bigint
  readonly logEndOffset: bigint

  constructor(message: string, offset: bigint, logStartOffset: bigint, logEndOffset: bigint) {
    super(ErrorCode.OFFSET_OUT_OF_RANGE, message)
    this.offset = offset
    this.logStartOffset = logStartOffset
    this.logEndOffset = logEndOffset
  }

  static {
    Object.defineProperty(this.prototype, 'name', {
      value: 'OffsetOutOfRangeError',
      writable: true,
      configurable: true,
    })
  }
}

/** Bytes handed to append that are not whole, well-formed v2 batches (CORRUPT_MESSAGE). */
export class CorruptRecordError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.CORRUPT_MESSAGE, message)
  }

  static {
    Object.defineProperty(this.prototype, 'name', { value: 'CorruptRecordError', writable: true, configurable: true })
  }
}

/** A batch larger than segment.bytes can never be stored (RECORD_LIST_TOO_LARGE, Kafka's RecordBatchTooLargeException). */
export class RecordBatchTooLargeError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.RECORD_LIST_TOO_LARGE, message)
  }

  static {
    Object.defineProperty(this.prototype, 'name', {
      value: 'RecordBatchTooLargeError',
      writable: true,
      configurable: true,
    })
  }
}

/**
 * A follower append whose batches do not continue the log (Kafka's UnexpectedAppendOffsetException and
 * OffsetsOutOfOrderException): offsets below the log end offset or not increasing. A replication bug, so
 * UNKNOWN_SERVER_ERROR.
 */
export class UnexpectedAppendOffsetError extends KafkaError {
  readonly firstOffset: bigint
  readonly logEndOffset: bigint

  constructor(message: string, firstOffset: bigint, logEndOffset: bigint) {
    super(ErrorCode.UNKNOWN_SERVER_ERROR, message)
    this.firstOffset = firstOffset
    this.logEndOffset = logEndOffset
  }

  static {
    Object.defineProperty(this.prototype, 'name', {
      value: 'UnexpectedAppendOffsetError',
      writable: true,
      configurable: true,
    })
  }
}

/** The log (or the manager) was closed or deleted; a caller raced with shutdown (KAFKA_STORAGE_ERROR). */
export class LogClosedError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.KAFKA_STORAGE_ERROR, message)
  }

  static {
    Object.defineProperty(this.prototype, 'name', { value: 'LogClosedError', writable: true, configurable: true })
  }
}

/** A log directory formatted for another cluster or node, or not usable at all (KAFKA_STORAGE_ERROR). */
export class LogDirectoryError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.KAFKA_STORAGE_ERROR, message)
  }

  static {
    Object.defineProperty(this.prototype, 'name', { value: 'LogDirectoryError', writable: true, configurable: true })
  }
}
