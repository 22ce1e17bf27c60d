// The group coordinator as a member sees it: FindCoordinator (KIP-699 batched form from v4, the single key before),
// then a connection of its own to that broker. Like Kafka's Java client, the coordinator gets a separate socket
// from the one fetches use, because a broker handles one request per connection at a time: a JoinGroup that
// waits for the rebalance must not hold up fetches, and a long-poll Fetch must not delay a Heartbeat.
//
// Answers that say the coordinator moved or is loading (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
// COORDINATOR_LOAD_IN_PROGRESS) or a broken connection make the next call look the coordinator up again.

import { ErrorCode, FindCoordinator, type ApiSchema } from '@samsa/protocol'
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import { type Answer } from '../cluster/broker-connection.ts'
import type { Cluster } from '../cluster/cluster.ts'
import { closedError, isSamsaError, KafkaProtocolError, SamsaErrorCode } from '../errors.ts'

/** FindCoordinator's key types: consumer groups, transactional ids. */
export const CoordinatorKeyType = { GROUP: 0, TRANSACTION: 1 } as const

const COORDINATOR_MOVED = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
])

export function isCoordinatorMovedError(errorCode: number): boolean {
  return COORDINATOR_MOVED.has(errorCode)
}

export interface CoordinatorAddress {
  nodeId: number
  host: string
  port: number
}

/** Asks any broker which broker coordinates `key` (a group id, or a transactional id with keyType 1). */
export async function findCoordinator(
  cluster: Cluster,
  key: string,
  keyType: number = CoordinatorKeyType.GROUP,
): Promise<CoordinatorAddress> {
  const { response, version } = await cluster
    .anyBroker()
    .request(FindCoordinator, (v) =>
      FindCoordinator.request.make(v >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }),
    )
  const answer =
    version >= 4
      ? response.coordinators.find((c) => c.key === key)
      : { nodeId: response.nodeId, host: response.host, port: response.port, errorCode: response.errorCode }
  const errorCode = answer?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (answer === undefined || errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError({ errorCode, apiKey: FindCoordinator.key, apiVersion: version })
  }
  return { nodeId: answer.nodeId, host: answer.host, port: answer.port }
}

export class GroupCoordinator {
  /** The coordinator's key: a group id, or a transactional id when keyType is TRANSACTION. */
  readonly groupId: string
  readonly #cluster: Cluster
  readonly #keyType: number
  #connection: BrokerConnection | null = null
  #finding: Promise<BrokerConnection> | null = null

  constructor(cluster: Cluster, groupId: string, keyType: number = CoordinatorKeyType.GROUP) {
    this.#cluster = cluster
    this.groupId = groupId
    this.#keyType = keyType
  }

  /** The coordinator's connection, looking it up first when unknown. */
  connection(): Promise<BrokerConnection> {
    if (this.#cluster.isClosed) return Promise.reject(closedError('client'))
    if (this.#connection !== null) return Promise.resolve(this.#connection)
    this.#finding ??= findCoordinator(this.#cluster, this.groupId, this.#keyType)
      .then((address) => {
        this.#connection = this.#cluster.newConnection(address.nodeId, address)
        return this.#connection
      })
      .finally(() => {
        this.#finding = null
      })
    return this.#finding
  }

  /** Forgets the coordinator, so the next request looks it up again. */
  markUnknown(): void {
    const old = this.#connection
    this.#connection = null
    if (old !== null) void old.close()
  }

  /**
   * One request to the coordinator. A network failure forgets the coordinator; `errorCodeOf` lets the caller
   * name the answer's top-level error so a moved coordinator is forgotten too (the error is still thrown).
   */
  async request<Rq, Rs>(
    api: ApiSchema<Rq, Rs>,
    build: (version: number) => Rq,
    options: { timeoutMs?: number; errorCodeOf?: (response: Rs) => number } = {},
  ): Promise<Answer<Rs>> {
    const connection = await this.connection()
    try {
      const answer = await connection.request(api, build, options.timeoutMs === undefined ? {} : options)
      const errorCode = options.errorCodeOf?.(answer.response) ?? ErrorCode.NONE
      if (errorCode !== ErrorCode.NONE) {
        if (isCoordinatorMovedError(errorCode)) this.markUnknown()
        throw new KafkaProtocolError({ errorCode, apiKey: api.key, apiVersion: answer.version })
      }
      return answer
    } catch (error) {
      if (isSamsaError(error) && (error.code === SamsaErrorCode.NETWORK || error.code === SamsaErrorCode.TIMEOUT)) {
        this.markUnknown()
      }
      throw error
    }
  }

  async close(): Promise<void> {
    const connection = this.#connection
    this.#connection = null
    await connection?.close()
  }
}
