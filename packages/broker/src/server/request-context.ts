// The narrow view handlers get of the broker: the request's envelope and the domain services they may call.
// Handlers reach partitions/ and metadata/ only through what is listed here (and their index.ts types).

import type { ConfigResolver } from '../config/config-resolver.ts'
import type { GroupCoordinator } from '../coordinator/group/index.ts'
import type { ProducerIdManager } from '../coordinator/txn/producer-id-manager.ts'
import type { TransactionCoordinator } from '../coordinator/txn/transaction-coordinator.ts'
import type { Logger } from '../logger.ts'
import type { ClientQuotaControl, ConfigControl, MetadataStore, TopicControl } from '../metadata/index.ts'
import type { PartitionManager } from '../partitions/index.ts'

export interface AdvertisedEndpoint {
  host: string
  port: number
}

export interface BrokerServices {
  readonly nodeId: number
  readonly clusterId: string
  readonly rack: string | null
  readonly metadata: MetadataStore
  readonly topics: TopicControl
  readonly configs: ConfigControl
  /** Client quotas (KIP-546) as stored configuration. */
  readonly quotas: ClientQuotaControl
  readonly configResolver: ConfigResolver
  readonly partitions: PartitionManager
  readonly groups: GroupCoordinator
  readonly transactions: TransactionCoordinator
  /** Producer ids for InitProducerId (idempotent producers). */
  readonly producerIds: ProducerIdManager
  readonly logger: Logger
  /** [apiKey, minVersion, maxVersion] of every implemented API, for ApiVersions. */
  apiVersions(): readonly { apiKey: number; minVersion: number; maxVersion: number }[]
  /** The address of broker `nodeId` on the listener `listenerName`, or undefined. */
  endpointOf(nodeId: number, listenerName: string): AdvertisedEndpoint | undefined
}

/** Per-connection state kept across requests. */
export interface ConnectionState {
  readonly connectionId: number
  readonly listenerName: string
  readonly clientAddress: string
  /** From ApiVersions v3+ (KIP-511). */
  clientSoftwareName: string | null
  clientSoftwareVersion: string | null
  /** Gives a request frame's memory back for later requests (@samsa/net Session.recycleFrame). */
  recycleFrame?(frame: Buffer): void
  /** Settles once the newest Fetch's response on this connection is written or dropped (handlers/01-fetch.ts). */
  lastFetchWritten?: Promise<void>
}

export interface RequestContext {
  readonly apiKey: number
  readonly apiVersion: number
  readonly correlationId: number
  readonly clientId: string | null
  readonly connection: ConnectionState
  readonly broker: BrokerServices
  /**
   * Runs `callback` once the response has been handed to the kernel, or will never be sent (no response, a
   * failure, a closed connection): a handler whose response points into recycled memory gives it back here.
   */
  afterResponse(callback: () => void): void
  /**
   * The handler has read all it needs of the request: once handle() returns, neither it nor anything it called
   * keeps the request's bytes (the decoded request's byte fields are views into them), so their memory may take a
   * later request. Produce calls it when storage copies appends (AppendOptions.background).
   */
  releaseRequest(): void
}
