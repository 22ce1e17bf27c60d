// Where admin requests that are not per partition go. Two shapes recur: a request about one key (a group id, a
// transactional id) goes to the key's coordinator, found with FindCoordinator; a List request (ListGroups,
// ListTransactions) goes to every broker, because each answers only for the keys it coordinates.

import type { BrokerConnection } from '../cluster/broker-connection.ts'
import type { Cluster } from '../cluster/cluster.ts'
import { CoordinatorKeyType, GroupCoordinator } from '../group/coordinator.ts'

export { CoordinatorKeyType }

/**
 * Runs `operation` against the coordinator of `key`, retrying retriable failures until `deadline`. A coordinator
 * that moved (a network failure, or an answer the operation reports through GroupCoordinator.request's
 * errorCodeOf) is looked up again on the next attempt. The coordinator's connection is closed afterwards.
 */
export async function withCoordinator<T>(
  cluster: Cluster,
  key: string,
  keyType: number,
  deadline: number,
  operation: (coordinator: GroupCoordinator) => Promise<T>,
): Promise<T> {
  const coordinator = new GroupCoordinator(cluster, key, keyType)
  try {
    return await cluster.retrying(deadline, () => operation(coordinator))
  } finally {
    await coordinator.close()
  }
}

/**
 * Runs `operation` on every broker of a fresh metadata answer, each retried on its own until `deadline`; resolves
 * with the answers in broker order. One broker failing for good fails the call, as in Kafka's admin client.
 */
export async function onEveryBroker<T>(
  cluster: Cluster,
  deadline: number,
  operation: (connection: BrokerConnection) => Promise<T>,
): Promise<T[]> {
  await cluster.retrying(deadline, () => cluster.refreshMetadata())
  const nodeIds = [...cluster.metadata.brokers.keys()]
  return Promise.all(nodeIds.map((nodeId) => cluster.retrying(deadline, () => operation(cluster.broker(nodeId)))))
}
