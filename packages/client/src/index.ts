// @samsa/client: a Kafka client for Node.js on Samsa's protocol package. createProducer, createConsumer and
// createAdmin take camelCase options (or Kafka's Java property names) and share one cluster layer: bootstrap,
// ApiVersions negotiation, a metadata cache, one pipelined connection per broker, timeouts and retries.

export {
  createAdmin,
  Admin,
  type AdminOptions,
  type ClusterDescription,
  type CreatedTopic,
  type ListOffsetsQuery,
  type NewTopic,
  type OffsetSpecName,
  type TopicDescription,
} from './admin/admin.ts'
export type {
  GroupDescription,
  GroupListing,
  GroupMemberDescription,
  PartitionLag,
  ResetPlanEntry,
  ResetTarget,
} from './admin/groups.ts'
export type {
  AlterConfigOperation,
  AlterConfigsResource,
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigSource,
  DescribeConfigsResource,
  DescribedConfigs,
} from './admin/configs.ts'
export type {
  DescribedQuotas,
  QuotaAlteration,
  QuotaEntity,
  QuotaEntityType,
  QuotaFilterComponent,
} from './admin/quotas.ts'
export type {
  AclBinding,
  AclBindingFilter,
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  DeletedAcls,
  NewAclBinding,
} from './admin/acls.ts'
export type {
  ScramCredentialInfo,
  ScramDeletion,
  ScramMechanism,
  ScramUpsertion,
  UserScramCredentials,
} from './admin/scram-users.ts'
export {
  TRANSACTION_STATES,
  type ListTransactionsFilter,
  type PartitionProducers,
  type ProducerState,
  type TransactionDescription,
  type TransactionListing,
  type TransactionStateName,
} from './admin/transactions.ts'
export type { OffsetAnswer } from './cluster/list-offsets.ts'
export type { TopicPartition } from './cluster/sharding.ts'
export {
  createProducer,
  Producer,
  type MessageBytes,
  type ProducerMessage,
  type ProducerOptions,
  type ProducerRecordBatch,
} from './producer/producer.ts'
export {
  createConsumer,
  Consumer,
  type ConsumerBatch,
  type ConsumerOptions,
  type PartitionAssignment,
  type RunHandlers,
} from './consumer/consumer.ts'
export type { GroupProtocol, RebalanceListener } from './consumer/group-session.ts'
export type { ConsumerMetrics, PartitionLagMetrics } from './consumer/lag-metrics.ts'
export type { AssignorName } from './group/assignors.ts'
export type { CommittedOffset, OffsetToCommit } from './group/offsets.ts'
export type { ConsumerMessage } from './consumer/fetched-records.ts'
export type { RecordMetadata } from './producer/accumulator.ts'
export { TransactionState, type ConsumerGroupMetadata } from './producer/transaction-manager.ts'
export type { Partitioner, PartitionerArgs } from './producer/partitioner.ts'
export { murmur2, toPositive, keyPartition } from './producer/murmur2.ts'
export {
  isKafkaProtocolError,
  isRetriableError,
  isSamsaError,
  KafkaProtocolError,
  SamsaError,
  SamsaErrorCode,
} from './errors.ts'
export { javaPropertiesFrom, readJavaProperties } from './properties.ts'
export {
  JAVA_PROPERTY_NAMES,
  JAVA_PROPERTIES_BY_CLIENT,
  type Acks,
  type AutoOffsetReset,
  type CommonOptions,
  type CompressionName,
  type IsolationLevelName,
  type JavaProperties,
} from './options.ts'
