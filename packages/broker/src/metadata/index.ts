// metadata/: the cluster's topics, partitions, brokers and configs behind the MetadataStore interface, and the
// controller logic that validates and commits changes to them (topics, partitions, configs, client quotas).

export {
  MetadataConflictError,
  type BrokerEndpoint,
  type BrokerRegistration,
  type ClientQuotaEntry,
  type MetadataChange,
  type MetadataStore,
  type PartitionMetadata,
  type QuotaEntityPart,
  type TopicMetadata,
} from './metadata-store.ts'
export { ClientQuotaControl, QuotaMatchType, type QuotaAlteration, type QuotaFilterComponent } from './client-quotas.ts'
export { InProcessMetadataStore, randomUuid, type InProcessStoreOptions } from './in-process-store.ts'
export {
  TopicControl,
  type CreatableTopic,
  type DeleteTopicResult,
  type PartitionsIncrease,
  type TopicRef,
  type TopicResult,
} from './topic-control.ts'
export {
  AlterConfigOp,
  ConfigControl,
  ConfigResourceType,
  type ConfigResourceRef,
  type DescribeResult,
  type IncrementalChange,
  type ResourceResult,
} from './config-control.ts'
export {
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
  isInternalTopic,
  topicNameProblem,
} from './topic-names.ts'
