// The composition root: loads the config, then constructs every service once and wires them with plain
// constructors (no DI framework): metadata store → config resolver → log manager → partitions → controller
// services → handler registry and dispatcher → one Listener per configured listener. startBroker() is both what
// main.ts runs and what tests and apps embed (`port: 0` gives an ephemeral port).
//
// Shutdown order: stop accepting and drop connections, answer waiting fetches, close the logs (flush, checkpoints,
// clean-shutdown marker), then the metadata store.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { hostname } from 'node:os'
import { CLOSE_CONNECTION, Listener } from '@samsa/net'
import {
  NodeFileSystem,
  TailCachingFileSystem,
  openLogManager,
  systemClock,
  type Clock,
  type FileSystem,
} from '@samsa/storage'
import { ConfigResolver } from './config/config-resolver.ts'
import { loadBrokerConfig, type ConfigInput, type StaticBrokerConfig } from './config/load.ts'
import { formatEndpoint, type Endpoint } from './config/listeners.ts'
import { createGroupCoordinator } from './coordinator/group/create-group-coordinator.ts'
import { createTransactionCoordinator } from './coordinator/txn/create-transaction-coordinator.ts'
import { ProducerIdManager } from './coordinator/txn/producer-id-manager.ts'
import { allHandlers } from './handlers/index.ts'
import { consoleLogger, type Logger } from './logger.ts'
import { ClientQuotaControl, ConfigControl, InProcessMetadataStore, TopicControl } from './metadata/index.ts'
import { PartitionManager } from './partitions/index.ts'
import { Dispatcher } from './server/dispatcher.ts'
import { HandlerRegistry } from './server/registry.ts'
import type { AdvertisedEndpoint, BrokerServices } from './server/request-context.ts'
import { connectionHandler } from './server/session.ts'
import { ConnectionLimits } from './server/connection-limits.ts'

export interface BrokerOptions {
  /** Broker configs by Kafka name (`{ 'log.dirs': dir, 'num.partitions': 3 }`); highest precedence. */
  config?: ConfigInput
  /** A server.properties file. */
  configFile?: string
  /** `--override key=value` pairs. */
  overrides?: readonly (readonly [string, string])[]
  /** Environment for SAMSA_* variables; none unless given (main.ts passes process.env). */
  env?: Readonly<Record<string, string | undefined>>
  /** Replaces the first listener's port (0: ephemeral). */
  port?: number
  /** Replaces the first listener's host. */
  host?: string
  logger?: Logger
  clock?: Clock
  fs?: FileSystem
}

export interface BoundListener {
  name: string
  /** The address clients are told (advertised.listeners, or the bound address). */
  host: string
  port: number
}

export interface RunningBroker {
  /** The first listener's advertised host and port: what a client bootstraps from. */
  readonly host: string
  readonly port: number
  /** The port the first listener is bound to; differs from `port` when advertised.listeners names another one. */
  readonly boundPort: number
  readonly listeners: readonly BoundListener[]
  readonly nodeId: number
  readonly clusterId: string
  readonly logDirs: readonly string[]
  readonly config: StaticBrokerConfig
  /**
   * Runs one request frame (size prefix included, e.g. encodeRequestFrame's chunks concatenated) through the
   * dispatcher without a socket (fastify's inject): resolves with the response frame, null when the request
   * gets no response (acks=0), or 'close' when the broker would close the connection.
   */
  inject(frame: Buffer, listenerName?: string): Promise<Buffer | null | 'close'>
  /** Fetches parked in the purgatory waiting for data (tests wait on this instead of sleeping). */
  waitingFetches(): number
  /** Stops the broker cleanly: connections dropped, logs flushed and checkpointed. Idempotent. */
  close(): Promise<void>
}

/** The file (in the first log dir) holding the single-node metadata: cluster id, topics, dynamic configs. */
export const METADATA_FILE = '__samsa_metadata.json'

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const logger = options.logger ?? consoleLogger()
  const clock = options.clock ?? systemClock
  const config = loadBrokerConfig({
    ...(options.configFile === undefined ? {} : { file: options.configFile }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    config: withListenerOverride(options),
    warn: (m) => logger.warn(m),
  })
  const { nodeId, logDirs } = config

  // The metadata file stays in whichever log dir holds it, so reordering log.dirs does not lose it.
  const metadataDir = logDirs.find((d) => existsSync(join(d, METADATA_FILE))) ?? logDirs[0] ?? '.'
  const store = new InProcessMetadataStore({ path: join(metadataDir, METADATA_FILE), controllerId: nodeId })
  await store.init()
  const configs = new ConfigResolver(config, {
    brokerOverrides: () => store.brokerConfigs(nodeId),
    clusterDefaults: () => store.brokerConfigs(null),
  })
  const v = config.values
  const fileSystem = options.fs ?? new NodeFileSystem({ directAppendMinBytes: v['samsa.log.direct.append.min.bytes'] })
  // Produce appends are written by a background thread (storage fs/background-writer.ts), so that the page cache's
  // (or, for an O_DIRECT write, the device's) time overlaps with reading the next request, and request frames can be
  // recycled because the log keeps none of their bytes. Tests that pass their own file system write synchronously.
  const backgroundAppends = options.fs === undefined && v['samsa.log.background.appends']
  const segmentFileSystem = new TailCachingFileSystem(fileSystem, {
    maxBytes: Number(v['samsa.log.tail.cache.bytes']),
    backgroundWrites: backgroundAppends,
  })
  const logManager = await openLogManager({
    logDirs,
    fs: segmentFileSystem,
    clock,
    nodeId,
    clusterId: store.clusterId,
    configFor: (topic) => configs.logConfig(store.topic(topic)?.configs ?? new Map()),
    logRetentionCheckIntervalMs: v['log.retention.check.interval.ms'],
    logFlushOffsetCheckpointIntervalMs: v['log.flush.offset.checkpoint.interval.ms'],
    logFlushStartOffsetCheckpointIntervalMs: v['log.flush.start.offset.checkpoint.interval.ms'],
    logCleanerEnable: v['log.cleaner.enable'],
    logCleanerBackoffMs: v['log.cleaner.backoff.ms'],
    producerIdExpirationMs: v['producer.id.expiration.ms'],
    warn: (m) => logger.warn(m),
    onBackgroundError: (e, context) => logger.error(`storage background task failed: ${context}`, e),
  })
  const partitions = new PartitionManager({ nodeId, store, configs, logManager, clock, logger, backgroundAppends })
  partitions.start()

  const registry = new HandlerRegistry(allHandlers)
  const bound = new Map<string, BoundListener>()
  const topics = new TopicControl(store, configs)
  const groups = createGroupCoordinator({
    partitions,
    store,
    configs,
    createTopic: (name) => topics.autoCreateTopic(name),
    clock,
    logger,
  })
  // Next to the metadata file, so both move together if log.dirs is reordered.
  const producerIds = ProducerIdManager.open(fileSystem, metadataDir, nodeId)
  const transactions = createTransactionCoordinator({
    partitions,
    groups,
    configs,
    createTopic: (name) => topics.autoCreateTopic(name),
    generateProducerId: () => producerIds.generateProducerId(),
    clock,
    logger,
  })
  const services: BrokerServices = {
    nodeId,
    clusterId: store.clusterId,
    rack: v['broker.rack'],
    metadata: store,
    topics,
    configs: new ConfigControl(store, configs),
    quotas: new ClientQuotaControl(store),
    configResolver: configs,
    partitions,
    groups,
    transactions,
    producerIds,
    logger,
    apiVersions: () => registry.apiVersions(),
    endpointOf: (id, listenerName): AdvertisedEndpoint | undefined => {
      if (id === nodeId) return bound.get(listenerName)
      const endpoint = store
        .brokers()
        .find((b) => b.nodeId === id)
        ?.endpoints.find((e) => e.name === listenerName)
      return endpoint === undefined ? undefined : { host: endpoint.host, port: endpoint.port }
    },
  }
  const dispatcher = new Dispatcher(registry, services, logger)

  const connectionLimits = new ConnectionLimits({
    maxConnections: () => configs.brokerValue('max.connections') as number,
    maxConnectionsPerIp: () => configs.brokerValue('max.connections.per.ip') as number,
    perIpOverrides: () => configs.brokerValue('max.connections.per.ip.overrides') as string | null,
  })
  const listeners: Listener[] = []
  try {
    for (const endpoint of config.listeners) {
      const listener = await Listener.listen({
        host: endpoint.host === '' ? '::' : endpoint.host,
        port: endpoint.port,
        backlog: v['socket.listen.backlog.size'],
        maxFrameBytes: v['socket.request.max.bytes'],
        maxInFlight: v['queued.max.requests'],
        idleTimeoutMs: v['connections.max.idle.ms'],
        admit: (remoteAddress) => {
          if (connectionLimits.admit(remoteAddress)) return true
          logger.info(`rejected a connection from ${remoteAddress}: max.connections or max.connections.per.ip reached`)
          return false
        },
        onConnection: (session) =>
          connectionLimits.tracked(
            session.remoteAddress,
            connectionHandler(dispatcher, session, endpoint.name, logger),
          ),
        onConnectionError: (session, error) =>
          logger.debug(`connection ${session.id} from ${session.remoteAddress} closed: ${error.message}`),
      })
      listeners.push(listener)
      bound.set(endpoint.name, advertised(config, endpoint, listener.address.port))
    }
  } catch (e) {
    await Promise.all(listeners.map((l) => l.close()))
    transactions.close()
    groups.close()
    await partitions.close()
    segmentFileSystem.close()
    await store.close()
    throw e
  }
  await store.registerBroker({
    nodeId,
    rack: v['broker.rack'],
    isFenced: false,
    endpoints: config.listeners.map((e) => {
      const b = bound.get(e.name) as BoundListener
      return { name: e.name, host: b.host, port: b.port, securityProtocol: e.securityProtocol }
    }),
  })
  for (const l of bound.values()) logger.info(`listening on ${formatEndpoint({ ...l, securityProtocol: '' })}`)

  let closing: Promise<void> | null = null
  const first = bound.get((config.listeners[0] as Endpoint).name) as BoundListener
  return {
    host: first.host,
    port: first.port,
    boundPort: (listeners[0] as Listener).address.port,
    listeners: [...bound.values()],
    nodeId,
    clusterId: store.clusterId,
    logDirs,
    config,
    waitingFetches: () => partitions.purgatory.waiting,
    inject: async (frame, listenerName = (config.listeners[0] as Endpoint).name) => {
      const reply = await dispatcher.dispatch(frame.subarray(4), {
        connectionId: -1,
        listenerName,
        clientAddress: 'inject',
        clientSoftwareName: null,
        clientSoftwareVersion: null,
      })
      if (reply === CLOSE_CONNECTION) return 'close'
      if (reply === null) return null
      if (!('chunks' in reply)) return Buffer.concat(reply)
      const bytes = Buffer.concat(reply.chunks) // a copy, so the reply's memory can go back at once
      reply.written()
      return bytes
    },
    close: () =>
      (closing ??= (async () => {
        await Promise.all(listeners.map((l) => l.close()))
        transactions.close()
        groups.close()
        await partitions.close()
        segmentFileSystem.close()
        await store.close()
        logger.info('broker stopped')
      })()),
  }
}

/** startBroker({ port, host }) rewrites the first listener (keeping any others). */
function withListenerOverride(options: BrokerOptions): ConfigInput {
  const config = { ...(options.config ?? {}) }
  if (options.port === undefined && options.host === undefined) return config
  const given = config.listeners
  const list = typeof given === 'string' ? given.split(',') : Array.isArray(given) ? [...(given as string[])] : []
  const first = list[0] ?? 'PLAINTEXT://127.0.0.1:9092'
  const m = /^([^:]+):\/\/(.*):(\d+)$/.exec(first.trim())
  const name = m?.[1] ?? 'PLAINTEXT'
  const host = options.host ?? m?.[2] ?? '127.0.0.1'
  const port = options.port ?? Number(m?.[3] ?? 9092)
  list[0] = `${name}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
  return { ...config, listeners: list }
}

/** The address advertised for a listener: advertised.listeners if set, else the bound address. */
function advertised(config: StaticBrokerConfig, endpoint: Endpoint, boundPort: number): BoundListener {
  const adv = config.advertisedListeners.find((e) => e.name === endpoint.name)
  const host = adv?.host ?? (endpoint.host === '' ? hostname() : endpoint.host)
  // An advertised port of 0 (or none) means "whatever was bound", which is what tests with ephemeral ports need.
  const port = adv !== undefined && adv.port !== 0 ? adv.port : boundPort
  return { name: endpoint.name, host, port }
}
