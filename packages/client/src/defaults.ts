// Every default of the client in one place (ARCHITECTURE.md §9.9). Values are Kafka's Java client defaults unless
// a comment says otherwise, so a configuration carried over from Java behaves the same here.

export const commonDefaults = {
  clientId: 'samsa',
  requestTimeoutMs: 30_000,
  /** socket.connection.setup.timeout.ms */
  connectTimeoutMs: 10_000,
  /** KIP-580: the first back-off, doubled per attempt up to retryBackoffMaxMs, with ±20% jitter. */
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1_000,
  retries: 2_147_483_647,
  metadataMaxAgeMs: 300_000,
  maxInFlightRequestsPerConnection: 5,
  /** Java's default is 0 (no limit); ours bounds a single frame so a bad peer cannot make us buffer gigabytes. */
  maxResponseBytes: 256 * 1024 * 1024,
} as const

export const producerDefaults = {
  acks: -1,
  lingerMs: 5,
  batchSize: 16_384,
  compression: 'none',
  bufferMemory: 33_554_432,
  maxBlockMs: 60_000,
  deliveryTimeoutMs: 120_000,
  maxRequestSize: 1_048_576,
  allowAutoTopicCreation: true,
  /**
   * On since Java 3.0 (KIP-679). Unless the user sets it, it is silently turned off when acks is not all or
   * max.in.flight.requests.per.connection is above 5 (Java's rule); set explicitly, those conflicts are errors.
   */
  enableIdempotence: true,
  /** transaction.timeout.ms: how long the coordinator lets a transaction stay open before aborting it. */
  transactionTimeoutMs: 60_000,
} as const

export const consumerDefaults = {
  fetchMinBytes: 1,
  fetchMaxBytes: 52_428_800,
  maxPartitionFetchBytes: 1_048_576,
  fetchMaxWaitMs: 500,
  isolationLevel: 'read_uncommitted',
  autoOffsetReset: 'latest',
  allowAutoTopicCreation: false,
  groupId: null,
  groupInstanceId: null,
  groupProtocol: 'classic',
  sessionTimeoutMs: 45_000,
  rebalanceTimeoutMs: 300_000,
  heartbeatIntervalMs: 3_000,
  /** Java's default list: eager range first, so a group can later drop it and become cooperative (KIP-429). */
  partitionAssignors: ['range', 'cooperative-sticky'],
  /** null: the coordinator's default (its first group.consumer.assignors entry). */
  serverAssignor: null,
  autoCommit: true,
  autoCommitIntervalMs: 5_000,
  defaultApiTimeoutMs: 60_000,
} as const

export const adminDefaults = {
  defaultApiTimeoutMs: 60_000,
} as const

/** The name ApiVersions v3+ reports (KIP-511); it must match Kafka's software-name pattern. */
export const CLIENT_SOFTWARE_NAME = 'samsa-client'
export const CLIENT_SOFTWARE_VERSION = '0.1.0'
