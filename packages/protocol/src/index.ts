// @samsa/protocol: the Kafka wire protocol without I/O. Message schemas and their codecs, request/response headers
// and framing, record batches and compression, Kafka's internal record formats and error codes.

export { api, dataSchema, f, struct } from './schema.ts'
export type {
  ApiSchema,
  DataOf,
  FieldKind,
  FieldOptions,
  FieldSpec,
  Fields,
  MakeInput,
  MessageSchema,
  PrimitiveKind,
  RawTaggedField,
  RecordSchema,
  RequestOf,
  ResponseOf,
  StructSpec,
  StructType,
} from './schema.ts'
export { inVersions, parseVersions, type VersionRange } from './versions.ts'
export { codecFor, dataCodecFor, isFlexible, type MessageCodec } from './message-codec.ts'
export {
  API_VERSIONS_KEY,
  RequestHeader,
  ResponseHeader,
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
  type DecodedRequestHeader,
  type RequestEnvelope,
} from './headers.ts'
export { ProtocolDecodeError, ProtocolEncodeError, UnsupportedVersionError } from './primitives/codec-errors.ts'
export { Reader } from './primitives/reader.ts'
export { Writer } from './primitives/writer.ts'
export * from './primitives/varint.ts'
export * from './errors.ts'
export * from './acl-codes.ts'
export * from './messages/index.ts'
export * from './records/constants.ts'
export { crc32c, crc32cRange } from './records/crc32c.ts'
export { RecordBatchView, RecordSet, splitBatches } from './records/batch-view.ts'
export { compress, decompress, type CompressOptions } from './records/compression.ts'
export {
  decodeRecords,
  encodeRecords,
  type DecodedRecord,
  type EncodableRecord,
  type RecordHeader,
} from './records/record-codec.ts'
export {
  buildRecordBatch,
  decodeBatchRecords,
  resolveRecords,
  type DecodeRecordsOptions,
  type RecordBatchInput,
  type RecordInput,
  type ResolvedRecord,
} from './records/batch-codec.ts'
export {
  buildTransactionMarkerBatch,
  readControlRecord,
  type ControlRecord,
  type TransactionMarker,
} from './records/control-batch.ts'
export * from './internal/control-records.ts'
export * from './internal/consumer-offsets.ts'
export * from './internal/consumer-group-records.ts'
export * from './internal/consumer-protocol.ts'
export * from './internal/transaction-state.ts'
export * from './internal/framing.ts'
export { parseJavaProperties } from './config/java-properties.ts'
