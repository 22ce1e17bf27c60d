// The cluster as one client sees it: bootstrap servers, one BrokerConnection per broker, and the metadata cache
// with its refreshes. Producer, consumer and admin share this layer and add only their own request logic.
//
// Refreshes coalesce: while one Metadata request is out, every caller asking for another shares the next one,
// which covers every topic asked for so far. A refresh asks any reachable broker (the least loaded one it knows,
// else the bootstrap servers in turn) and fails as retriable only when none answers.

import { ErrorCode, isRetriable, Metadata } from '@samsa/protocol'
import { closedError, KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import type { ResolvedCommonOptions } from '../options.ts'
import { withRetries } from '../retry.ts'
import { resolveSecurity, type ResolvedSecurity } from '../security/security-options.ts'
import { BrokerConnection } from './broker-connection.ts'
import { MetadataCache, type TopicInfo } from './metadata-cache.ts'

export interface ClusterOptions extends ResolvedCommonOptions {
  /** Whether Metadata requests may auto-create topics (allow.auto.create.topics). */
  allowAutoTopicCreation: boolean
}

const noop = (): void => {}

export class Cluster {
  readonly options: ClusterOptions
  readonly metadata = new MetadataCache()
  readonly #bootstrap: BrokerConnection[]
  readonly #brokers = new Map<number, BrokerConnection>()
  readonly #topics = new Set<string>()
  #nextBootstrap = 0
  #running: Promise<void> | null = null
  #queued: Promise<void> | null = null
  #isClosed = false
  readonly #security: ResolvedSecurity

  constructor(options: ClusterOptions) {
    this.options = options
    this.#security = resolveSecurity(options)
    // Bootstrap servers get negative ids until a Metadata answer names the brokers (Java does the same).
    this.#bootstrap = options.bootstrapServers.map((address, i) => this.newConnection(-(i + 1), address))
  }

  get isClosed(): boolean {
    return this.#isClosed
  }

  /** The connection to broker `nodeId`; fails as retriable when the metadata does not know the broker. */
  broker(nodeId: number): BrokerConnection {
    if (this.#isClosed) throw closedError('client')
    const info = this.metadata.brokers.get(nodeId)
    if (info === undefined) {
      throw new SamsaError(SamsaErrorCode.NETWORK, `broker ${nodeId} is not in the cluster metadata`, {
        retriable: true,
      })
    }
    const existing = this.#brokers.get(nodeId)
    if (existing !== undefined && existing.host === info.host && existing.port === info.port) return existing
    if (existing !== undefined) void existing.close()
    const connection = this.newConnection(nodeId, info)
    this.#brokers.set(nodeId, connection)
    return connection
  }

  /** Some broker to send a cluster-wide request to: the least loaded known one, else a bootstrap server. */
  anyBroker(): BrokerConnection {
    if (this.#isClosed) throw closedError('client')
    let best: BrokerConnection | undefined
    for (const nodeId of this.metadata.brokers.keys()) {
      const candidate = this.broker(nodeId)
      if (best === undefined || candidate.inFlight < best.inFlight) best = candidate
    }
    return best ?? (this.#bootstrap[this.#nextBootstrap % this.#bootstrap.length] as BrokerConnection)
  }

  /** The active controller if the metadata names one, else any broker (Kafka brokers forward to it). */
  controller(): BrokerConnection {
    const id = this.metadata.controllerId
    return id >= 0 && this.metadata.brokers.has(id) ? this.broker(id) : this.anyBroker()
  }

  /** Fetches fresh metadata for every topic this client uses, plus `topics`. */
  refreshMetadata(topics: Iterable<string> = []): Promise<void> {
    for (const topic of topics) this.#topics.add(topic)
    if (this.#queued === null) {
      const previous = this.#running ?? Promise.resolve()
      this.#queued = previous.then(noop, noop).then(() => {
        this.#queued = null
        const run = this.#fetchMetadata()
        this.#running = run
        return run.finally(() => {
          if (this.#running === run) this.#running = null
        })
      })
    }
    return this.#queued
  }

  /** Metadata for `topics`, refreshed (with retries) until every one is known or `deadline` passes. */
  async topicMetadata(topics: readonly string[], deadline: number): Promise<TopicInfo[]> {
    const isAged = Date.now() - this.metadata.updatedAt > this.options.metadataMaxAgeMs
    const missing = () => topics.filter((t) => !this.metadata.topics.has(t))
    if (isAged || missing().length > 0) {
      await this.retrying(deadline, async () => {
        await this.refreshMetadata(topics)
        for (const topic of missing()) {
          const errorCode = this.metadata.topicErrors.get(topic) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          throw new KafkaProtocolError({ errorCode, apiKey: Metadata.key, apiVersion: this.metadata.version, topic })
        }
      })
    }
    return topics.map((t) => this.metadata.topics.get(t) as TopicInfo)
  }

  /** Runs `operation` with this client's retry settings until `deadline`. */
  retrying<T>(
    deadline: number,
    operation: (attempt: number) => Promise<T>,
    onRetry?: (error: unknown) => void,
  ): Promise<T> {
    return withRetries(operation, { ...this.options, deadline, ...(onRetry === undefined ? {} : { onRetry }) })
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    await Promise.all([...this.#bootstrap, ...this.#brokers.values()].map((c) => c.close()))
  }

  async #fetchMetadata(): Promise<void> {
    if (this.#isClosed) throw closedError('client')
    const candidates = new Set<BrokerConnection>([this.anyBroker()])
    for (const nodeId of this.metadata.brokers.keys()) candidates.add(this.broker(nodeId))
    for (const _ of this.#bootstrap) {
      candidates.add(this.#bootstrap[this.#nextBootstrap % this.#bootstrap.length] as BrokerConnection)
      this.#nextBootstrap++
    }
    let lastError: unknown
    for (const connection of candidates) {
      try {
        const topics = [...this.#topics]
        const { response, version } = await connection.request(Metadata, () =>
          Metadata.request.make({
            topics: topics.map((name) => ({ name })),
            allowAutoTopicCreation: this.options.allowAutoTopicCreation,
          }),
        )
        this.metadata.update(response, version)
        return
      } catch (error) {
        lastError = error
        if (this.#isClosed) throw closedError('client')
      }
    }
    throw lastError
  }

  /** Every topic in the cluster (a Metadata request with a null topic list). */
  async listAllTopics(deadline: number): Promise<TopicInfo[]> {
    return this.retrying(deadline, async () => {
      const { response, version } = await this.anyBroker().request(Metadata, () =>
        Metadata.request.make({ topics: null, allowAutoTopicCreation: false }),
      )
      this.metadata.update(response, version)
      const names = new Set(response.topics.flatMap((t) => (t.name === null ? [] : [t.name])))
      this.metadata.retainOnly(names)
      for (const t of response.topics) {
        if (t.errorCode !== ErrorCode.NONE && isRetriable(t.errorCode)) {
          throw new KafkaProtocolError({
            errorCode: t.errorCode,
            apiKey: Metadata.key,
            apiVersion: version,
            topic: t.name ?? '',
          })
        }
      }
      return [...this.metadata.topics.values()]
    })
  }

  /** A connection of its own to a broker, with this client's settings (a group coordinator keeps one apart). */
  newConnection(nodeId: number, address: { host: string; port: number }): BrokerConnection {
    return new BrokerConnection({ ...this.options, ...this.#security, nodeId, host: address.host, port: address.port })
  }
}
