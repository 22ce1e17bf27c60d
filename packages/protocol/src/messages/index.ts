// Every API schema, re-exported, plus the table of them by key. index.test.ts checks this list against the files
// in this folder, so a new schema file cannot be forgotten here.

import type { ApiSchema } from '../schema.ts'
import { Produce } from './00-produce.ts'
import { Fetch } from './01-fetch.ts'
import { ListOffsets } from './02-list-offsets.ts'
import { Metadata } from './03-metadata.ts'
import { OffsetCommit } from './08-offset-commit.ts'
import { OffsetFetch } from './09-offset-fetch.ts'
import { FindCoordinator } from './10-find-coordinator.ts'
import { JoinGroup } from './11-join-group.ts'
import { Heartbeat } from './12-heartbeat.ts'
import { LeaveGroup } from './13-leave-group.ts'
import { SyncGroup } from './14-sync-group.ts'
import { DescribeGroups } from './15-describe-groups.ts'
import { ListGroups } from './16-list-groups.ts'
import { SaslHandshake } from './17-sasl-handshake.ts'
import { ApiVersions } from './18-api-versions.ts'
import { CreateTopics } from './19-create-topics.ts'
import { DeleteTopics } from './20-delete-topics.ts'
import { DeleteRecords } from './21-delete-records.ts'
import { InitProducerId } from './22-init-producer-id.ts'
import { OffsetForLeaderEpoch } from './23-offset-for-leader-epoch.ts'
import { AddPartitionsToTxn } from './24-add-partitions-to-txn.ts'
import { AddOffsetsToTxn } from './25-add-offsets-to-txn.ts'
import { EndTxn } from './26-end-txn.ts'
import { WriteTxnMarkers } from './27-write-txn-markers.ts'
import { TxnOffsetCommit } from './28-txn-offset-commit.ts'
import { DescribeAcls } from './29-describe-acls.ts'
import { CreateAcls } from './30-create-acls.ts'
import { DeleteAcls } from './31-delete-acls.ts'
import { DescribeConfigs } from './32-describe-configs.ts'
import { AlterConfigs } from './33-alter-configs.ts'
import { AlterReplicaLogDirs } from './34-alter-replica-log-dirs.ts'
import { DescribeLogDirs } from './35-describe-log-dirs.ts'
import { SaslAuthenticate } from './36-sasl-authenticate.ts'
import { CreatePartitions } from './37-create-partitions.ts'
import { DeleteGroups } from './42-delete-groups.ts'
import { ElectLeaders } from './43-elect-leaders.ts'
import { IncrementalAlterConfigs } from './44-incremental-alter-configs.ts'
import { AlterPartitionReassignments } from './45-alter-partition-reassignments.ts'
import { ListPartitionReassignments } from './46-list-partition-reassignments.ts'
import { OffsetDelete } from './47-offset-delete.ts'
import { DescribeClientQuotas } from './48-describe-client-quotas.ts'
import { AlterClientQuotas } from './49-alter-client-quotas.ts'
import { DescribeUserScramCredentials } from './50-describe-user-scram-credentials.ts'
import { AlterUserScramCredentials } from './51-alter-user-scram-credentials.ts'
import { DescribeCluster } from './60-describe-cluster.ts'
import { DescribeProducers } from './61-describe-producers.ts'
import { DescribeTransactions } from './65-describe-transactions.ts'
import { ListTransactions } from './66-list-transactions.ts'
import { ConsumerGroupHeartbeat } from './68-consumer-group-heartbeat.ts'
import { ConsumerGroupDescribe } from './69-consumer-group-describe.ts'
import { DescribeTopicPartitions } from './75-describe-topic-partitions.ts'

export * from './00-produce.ts'
export * from './01-fetch.ts'
export * from './02-list-offsets.ts'
export * from './03-metadata.ts'
export * from './08-offset-commit.ts'
export * from './09-offset-fetch.ts'
export * from './10-find-coordinator.ts'
export * from './11-join-group.ts'
export * from './12-heartbeat.ts'
export * from './13-leave-group.ts'
export * from './14-sync-group.ts'
export * from './15-describe-groups.ts'
export * from './16-list-groups.ts'
export * from './17-sasl-handshake.ts'
export * from './18-api-versions.ts'
export * from './19-create-topics.ts'
export * from './20-delete-topics.ts'
export * from './21-delete-records.ts'
export * from './22-init-producer-id.ts'
export * from './23-offset-for-leader-epoch.ts'
export * from './24-add-partitions-to-txn.ts'
export * from './25-add-offsets-to-txn.ts'
export * from './26-end-txn.ts'
export * from './27-write-txn-markers.ts'
export * from './28-txn-offset-commit.ts'
export * from './29-describe-acls.ts'
export * from './30-create-acls.ts'
export * from './31-delete-acls.ts'
export * from './32-describe-configs.ts'
export * from './33-alter-configs.ts'
export * from './34-alter-replica-log-dirs.ts'
export * from './35-describe-log-dirs.ts'
export * from './36-sasl-authenticate.ts'
export * from './37-create-partitions.ts'
export * from './42-delete-groups.ts'
export * from './43-elect-leaders.ts'
export * from './44-incremental-alter-configs.ts'
export * from './45-alter-partition-reassignments.ts'
export * from './46-list-partition-reassignments.ts'
export * from './47-offset-delete.ts'
export * from './48-describe-client-quotas.ts'
export * from './49-alter-client-quotas.ts'
export * from './50-describe-user-scram-credentials.ts'
export * from './51-alter-user-scram-credentials.ts'
export * from './60-describe-cluster.ts'
export * from './61-describe-producers.ts'
export * from './65-describe-transactions.ts'
export * from './66-list-transactions.ts'
export * from './68-consumer-group-heartbeat.ts'
export * from './69-consumer-group-describe.ts'
export * from './75-describe-topic-partitions.ts'

/** All schemas, ordered by API key. */
export const allApis: readonly ApiSchema[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  WriteTxnMarkers,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  AlterConfigs,
  AlterReplicaLogDirs,
  DescribeLogDirs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  ElectLeaders,
  IncrementalAlterConfigs,
  AlterPartitionReassignments,
  ListPartitionReassignments,
  OffsetDelete,
  DescribeClientQuotas,
  AlterClientQuotas,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
  DescribeCluster,
  DescribeProducers,
  DescribeTransactions,
  ListTransactions,
  ConsumerGroupHeartbeat,
  ConsumerGroupDescribe,
  DescribeTopicPartitions,
]

const byKey = new Map<number, ApiSchema>(allApis.map((a) => [a.key, a]))

/** The schema for an API key, or undefined for a key we do not know. */
export function apiByKey(key: number): ApiSchema | undefined {
  return byKey.get(key)
}
