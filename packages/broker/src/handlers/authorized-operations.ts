// Authorized-operations bit sets (KIP-430) for Metadata, DescribeCluster and DescribeTopicPartitions. There is no
// authorizer yet, so every caller may do everything a resource type supports, which is what Kafka answers when
// no authorizer is configured. Bits are 1 << AclOperation code.

import { AclOperationCode as AclOperation } from '@samsa/protocol'

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
