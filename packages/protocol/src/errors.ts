// Kafka protocol error codes: the numbers that appear in `error_code` fields on the wire.
// Codes, names and retriability follow Apache Kafka 4.1/4.2 (`org.apache.kafka.common.protocol.Errors`);
// `retriable` is true exactly when Kafka's exception class for the code extends RetriableException (directly or
// through InvalidMetadataException / RefreshRetriableException). The messages are our own wording.
// Kafka trunk (4.4 development) has since added 134-136; they are left out until a release ships them.

/** One row of the error table. */
export interface KafkaErrorInfo {
  readonly code: number
  /** Kafka's UPPER_SNAKE name, verbatim, so it can be grepped against Kafka sources and logs. */
  readonly name: string
  readonly retriable: boolean
  readonly message: string
}

// Rows are tuples rather than objects so each code stays on one line; `as const` keeps the literal code/name
// types, which lets the compiler check `ErrorCode` against this table below.
const ROWS = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The broker hit an unexpected internal error.'],
  [0, 'NONE', false, 'No error.'],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'The offset is outside the range the partition still retains.'],
  [2, 'CORRUPT_MESSAGE', true, 'A record batch is corrupt or breaks the size or key rules.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This broker does not know the topic or partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The fetch size in the request is not valid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader right now, e.g. during an election.'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This broker is not the leader or a replica for the partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The broker did not finish the request before its deadline.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The target broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'The requested replica of the partition is not available.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'A record batch is bigger than the broker is willing to accept.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The request carries an outdated controller epoch.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The metadata string of the offset commit is too long.'],
  [13, 'NETWORK_EXCEPTION', true, 'The connection closed before a response arrived.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The coordinator is still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'No coordinator is currently available for this key.'],
  [16, 'NOT_COORDINATOR', true, 'This broker is not the coordinator for this key.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The topic name is invalid or the topic cannot be used here.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'A record batch is larger than the log segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Too few in-sync replicas, so the write was refused.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'Written, but to fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'The acks value of the produce request is not valid.'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation in the request is not the current one.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, "The member's protocols do not fit the group's protocols."],
  [24, 'INVALID_GROUP_ID', false, 'The group id is empty or otherwise not valid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator does not know this member id.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, "The session timeout is outside the broker's allowed range."],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing and the member has to rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The offset commit data has an invalid size.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized to access the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized to perform this cluster operation.'],
  [32, 'INVALID_TIMESTAMP', false, 'A record timestamp is outside the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The broker does not offer the requested SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not allowed in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The broker does not support this API version.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'A topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The requested number of partitions is not valid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'The replication factor is below 1 or above the broker count.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The explicit replica assignment is not valid.'],
  [40, 'INVALID_CONFIG', false, 'A configuration value is not valid.'],
  [41, 'NOT_CONTROLLER', true, 'This node is not the active controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or not valid for this broker.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, "The request needs a newer record format than the topic's."],
  [44, 'POLICY_VIOLATION', false, 'The request breaks a policy configured on the broker.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The producer sequence number arrived out of order.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The producer sequence number was already written.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'The producer epoch is older than the current one.'],
  [48, 'INVALID_TXN_STATE', false, 'The transaction is not in a state that allows this operation.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id is not the one mapped to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, "The transaction timeout exceeds the broker's maximum."],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on this transaction is still running.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'The sending transaction coordinator has been replaced.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized to use the transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are not enabled on the broker.'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'The broker skipped this operation because others in the batch failed.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'The broker failed to access a log directory on disk.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'The log directory is not configured on the broker.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication was rejected.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker holds no state for this producer id; it may have expired.'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is already running.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation tokens are not enabled on the broker.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'The broker has no such delegation token.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'The principal is not the owner or renewer of the token.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Token requests are not allowed on this connection.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for this delegation token operation.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group still has members.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'No group exists with this id.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The broker has no fetch session with this id.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, "The fetch session epoch does not match the broker's."],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no listener matching the one this request used.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is turned off on the broker.'],
  [74, 'FENCED_LEADER_EPOCH', true, "The request's leader epoch is older than the broker's."],
  [75, 'UNKNOWN_LEADER_EPOCH', true, "The request's leader epoch is newer than the broker's."],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, "The client cannot handle the partition's compression type."],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch in the request is out of date.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, "Offsets are unavailable until the new leader's high watermark catches up."],
  [79, 'MEMBER_ID_REQUIRED', false, 'The member must rejoin using the member id it was just given.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader replica is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group is already at its maximum number of members.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member has registered with the same group instance id.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible replica is available to become leader.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'The partition already has the desired leader.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'There is no partition reassignment to act on.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'Offsets cannot be deleted for a topic the group subscribes to.'],
  [87, 'INVALID_RECORD', false, 'The broker rejected a record that failed validation.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'Pending transactional offsets must settle first.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The request went over a throttling quota.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id fenced this one.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'The request names a resource that does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The request names the same resource more than once.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'The credential does not meet the acceptance criteria.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'The sender or receiver is not one of the expected voters.'],
  [95, 'INVALID_UPDATE_VERSION', false, 'The feature update version is not valid.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'The finalized features could not be updated.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'The principal of a forwarded request could not be decoded.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The requested snapshot does not exist.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The position lies outside the bounds of the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This broker does not know the topic id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'Another broker is already registered with this id.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'No broker is registered with this id.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'The topic id does not match the one stored in the log.'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, "The cluster id does not match the server's."],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'No transaction state exists for this transactional id.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'The fetch session used topic ids inconsistently.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The proposed ISR includes a replica that is not eligible.'],
  [108, 'NEW_LEADER_ELECTED', false, 'The ISR change was applied but leadership has moved.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'The offset is now only in tiered (remote) storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch was fenced; the member must rejoin.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'The instance id is still held by a member that has not left.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The group does not support the requested assignor.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'The member epoch is out of date.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'The request reached the wrong type of endpoint.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'The endpoint type is not supported.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'No controller is known with this id.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'The telemetry subscription id is unknown or stale.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'The telemetry push is larger than the broker accepts.'],
  [119, 'INVALID_REGISTRATION', false, 'The controller rejected the broker registration.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'The transaction failed; abort it to keep using the transactional id.'],
  [121, 'INVALID_RECORD_STATE', false, 'The record is not in a state that allows this acknowledgement.'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'The broker has no share session with this id.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'The share session epoch does not match.'],
  [124, 'FENCED_STATE_EPOCH', false, 'The state epoch in the request is out of date.'],
  [125, 'INVALID_VOTER_KEY', false, "The voter key does not match the receiver's key."],
  [126, 'DUPLICATE_VOTER', false, 'The voter is already in the voter set.'],
  [127, 'VOTER_NOT_FOUND', false, 'The voter is not in the voter set.'],
  [128, 'INVALID_REGULAR_EXPRESSION', false, 'The subscription regular expression is not valid.'],
  [129, 'REBOOTSTRAP_REQUIRED', false, 'Client metadata is too stale; rebootstrap from the bootstrap servers.'],
  [130, 'STREAMS_INVALID_TOPOLOGY', false, 'The Streams topology is not valid.'],
  [131, 'STREAMS_INVALID_TOPOLOGY_EPOCH', false, 'The Streams topology epoch is not valid.'],
  [132, 'STREAMS_TOPOLOGY_FENCED', false, 'A newer Streams topology epoch has superseded this one.'],
  [133, 'SHARE_SESSION_LIMIT_REACHED', true, 'The broker cannot open any more share sessions.'],
] as const

type Row = (typeof ROWS)[number]

/** Every Kafka error, ordered by code. Entries are frozen: errorInfo hands out these shared objects. */
export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = ROWS.map(([code, name, retriable, message]) =>
  Object.freeze({ code, name, retriable, message }),
)

/**
 * Error codes by Kafka name. Spelled out (not derived from the table) so editors can jump to a name and the
 * declaration files stay readable; `satisfies` makes the compiler reject any name or number that drifts from ROWS.
 */
export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  REPLICA_NOT_AVAILABLE: 9,
  MESSAGE_TOO_LARGE: 10,
  STALE_CONTROLLER_EPOCH: 11,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTION_COORDINATOR_FENCED: 52,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SECURITY_DISABLED: 54,
  OPERATION_NOT_ATTEMPTED: 55,
  KAFKA_STORAGE_ERROR: 56,
  LOG_DIR_NOT_FOUND: 57,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  REASSIGNMENT_IN_PROGRESS: 60,
  DELEGATION_TOKEN_AUTH_DISABLED: 61,
  DELEGATION_TOKEN_NOT_FOUND: 62,
  DELEGATION_TOKEN_OWNER_MISMATCH: 63,
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: 64,
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: 65,
  DELEGATION_TOKEN_EXPIRED: 66,
  INVALID_PRINCIPAL_TYPE: 67,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  LISTENER_NOT_FOUND: 72,
  TOPIC_DELETION_DISABLED: 73,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  STALE_BROKER_EPOCH: 77,
  OFFSET_NOT_AVAILABLE: 78,
  MEMBER_ID_REQUIRED: 79,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 83,
  ELECTION_NOT_NEEDED: 84,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  INVALID_RECORD: 87,
  UNSTABLE_OFFSET_COMMIT: 88,
  THROTTLING_QUOTA_EXCEEDED: 89,
  PRODUCER_FENCED: 90,
  RESOURCE_NOT_FOUND: 91,
  DUPLICATE_RESOURCE: 92,
  UNACCEPTABLE_CREDENTIAL: 93,
  INCONSISTENT_VOTER_SET: 94,
  INVALID_UPDATE_VERSION: 95,
  FEATURE_UPDATE_FAILED: 96,
  PRINCIPAL_DESERIALIZATION_FAILURE: 97,
  SNAPSHOT_NOT_FOUND: 98,
  POSITION_OUT_OF_RANGE: 99,
  UNKNOWN_TOPIC_ID: 100,
  DUPLICATE_BROKER_REGISTRATION: 101,
  BROKER_ID_NOT_REGISTERED: 102,
  INCONSISTENT_TOPIC_ID: 103,
  INCONSISTENT_CLUSTER_ID: 104,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  FETCH_SESSION_TOPIC_ID_ERROR: 106,
  INELIGIBLE_REPLICA: 107,
  NEW_LEADER_ELECTED: 108,
  OFFSET_MOVED_TO_TIERED_STORAGE: 109,
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  STALE_MEMBER_EPOCH: 113,
  MISMATCHED_ENDPOINT_TYPE: 114,
  UNSUPPORTED_ENDPOINT_TYPE: 115,
  UNKNOWN_CONTROLLER_ID: 116,
  UNKNOWN_SUBSCRIPTION_ID: 117,
  TELEMETRY_TOO_LARGE: 118,
  INVALID_REGISTRATION: 119,
  TRANSACTION_ABORTABLE: 120,
  INVALID_RECORD_STATE: 121,
  SHARE_SESSION_NOT_FOUND: 122,
  INVALID_SHARE_SESSION_EPOCH: 123,
  FENCED_STATE_EPOCH: 124,
  INVALID_VOTER_KEY: 125,
  DUPLICATE_VOTER: 126,
  VOTER_NOT_FOUND: 127,
  INVALID_REGULAR_EXPRESSION: 128,
  REBOOTSTRAP_REQUIRED: 129,
  STREAMS_INVALID_TOPOLOGY: 130,
  STREAMS_INVALID_TOPOLOGY_EPOCH: 131,
  STREAMS_TOPOLOGY_FENCED: 132,
  SHARE_SESSION_LIMIT_REACHED: 133,
} as const satisfies { readonly [R in Row as R[1]]: R[0] }

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

// Kafka's codes are dense from -1 upward, so a plain array indexed by `code + 1` is the cheapest O(1) lookup.
const BY_CODE: readonly (KafkaErrorInfo | undefined)[] = (() => {
  const byCode: (KafkaErrorInfo | undefined)[] = []
  for (const info of KAFKA_ERRORS) byCode[info.code + 1] = info
  return byCode
})()

/**
 * The table entry for `code`. A code this table does not know (a newer broker, or garbage) gets a synthesized,
 * non-retriable entry so callers always have something to log; retrying an error we cannot classify is unsafe.
 */
export function errorInfo(code: number): KafkaErrorInfo {
  return (
    BY_CODE[code + 1] ?? {
      code,
      name: `UNKNOWN_ERROR_CODE_${code}`,
      retriable: false,
      message: `The broker returned error code ${code}, which this client does not know.`,
    }
  )
}

export function errorName(code: number): string {
  return errorInfo(code).name
}

export function isRetriable(code: number): boolean {
  return errorInfo(code).retriable
}

// Registered symbol, so two copies of this package (e.g. different versions in one node_modules tree) still
// recognise each other's errors, which `instanceof` cannot do.
const KAFKA_ERROR_BRAND = Symbol.for('samsa.error')

/**
 * A whole request failed with a Kafka error code. Per-partition or per-resource codes inside a successful
 * response stay plain numbers in the decoded message; only request-level failures are thrown as KafkaError.
 */
export class KafkaError extends Error {
  readonly code: number
  /** Kafka's name for the code, e.g. NOT_LEADER_OR_FOLLOWER (`name` is the JS error class name). */
  readonly errorName: string
  readonly retriable: boolean

  constructor(code: number, message?: string) {
    const info = errorInfo(code)
    super(message ?? `${info.name}: ${info.message}`)
    this.code = code
    this.errorName = info.name
    this.retriable = info.retriable
  }

  static {
    // `name` and the brand live on the prototype rather than as instance fields: V8 builds the stack header
    // from `name` inside super(), before field initializers run, so a field would leave stacks saying "Error:".
    // Non-enumerable also keeps both out of util.inspect and JSON output.
    Object.defineProperty(this.prototype, 'name', { value: 'KafkaError', writable: true, configurable: true })
    Object.defineProperty(this.prototype, KAFKA_ERROR_BRAND, { value: true })
  }
}

/** Brand check rather than `instanceof`, so it also holds across duplicate package copies. */
export function isKafkaError(e: unknown): e is KafkaError {
  return typeof e === 'object' && e !== null && (e as { [KAFKA_ERROR_BRAND]?: unknown })[KAFKA_ERROR_BRAND] === true
}
