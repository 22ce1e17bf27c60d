// Authorized-operations bit sets (KIP-430) for Metadata, DescribeCluster and DescribeTopicPartitions. There is no
// authorizer yet, so every caller may do everything a resource type supports, which is what Kafka answers when
// no authorizer is configured. Bits are 1 << AclOperation code.

const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const

/** INT32_MIN: the caller did not ask for authorized operations. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

function bits(...ops: number[]): number {
  return ops.reduce((acc, op) => acc | (1 << op), 0)
}

export const TOPIC_OPERATIONS = bits(
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.CREATE,
  AclOperation.DELETE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
)

export const CLUSTER_OPERATIONS = bits(
  AclOperation.CREATE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.CLUSTER_ACTION,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
  AclOperation.IDEMPOTENT_WRITE,
  AclOperation.CREATE_TOKENS,
  AclOperation.DESCRIBE_TOKENS,
)
