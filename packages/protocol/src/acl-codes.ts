// Kafka's ACL enums as the wire carries them: int8 codes in DescribeAcls, CreateAcls and DeleteAcls, and bit
// positions in the authorized-operations sets of Metadata, DescribeCluster and DescribeTopicPartitions (KIP-430).
// Names and codes are those of Kafka's ResourceType, PatternType (KIP-290), AclOperation and AclPermissionType.

export const AclResourceTypeCode = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const

/** MATCH exists in filters only: literal names equal to it, the wildcard '*', and prefixes of it. */
export const AclPatternTypeCode = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const

export const AclOperationCode = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
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

export const AclPermissionTypeCode = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const
