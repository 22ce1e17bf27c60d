// A single-node test cluster: an in-process broker behind a FaultProxy, in a fresh temp dir. The broker advertises
// the proxy's address, so every connection a client opens after bootstrap (to the partition leader, to the group
// or transaction coordinator) goes through the proxy and its faults too. restart() stops the broker and starts it
// again on the same port and data dir, which clients see as dropped connections followed by refused ones until it
// is back.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, startBroker, type ConfigInput, type Logger, type RunningBroker } from '@samsa/broker'
import { FaultProxy } from './fault-proxy.ts'
import { freePort } from './ports.ts'

const HOST = '127.0.0.1'

export interface TestClusterOptions {
  /** Broker configs by Kafka name; `log.dirs`, the listener and `advertised.listeners` are the cluster's own. */
  config?: ConfigInput
  /** Data directory to use (and keep); default: a fresh temp dir removed by stop(). */
  dir?: string
  /** Broker log output; default silent. */
  logger?: Logger
}

export interface TestCluster {
  /** The proxy's address: what clients bootstrap from. */
  readonly bootstrapServers: string
  /** Fault rules on the traffic between clients and the broker. */
  readonly faults: FaultProxy
  /** The broker's data directory (log.dirs). */
  readonly dir: string
  /** The broker now running (a new object after each restart). */
  readonly broker: RunningBroker
  /** The broker's own listener, bypassing the proxy (e.g. for a raw check that must not meet a fault). */
  readonly brokerAddress: { host: string; port: number }
  /**
   * Stops the broker (connections dropped, logs flushed) and starts it again on the same port and data dir.
   * `whileStopped` runs in between, e.g. to send while nothing answers.
   */
  restart(options?: { whileStopped?: () => void | Promise<void> }): Promise<void>
  /** Stops the broker and the proxy; removes the data dir unless `keepData` or it was given in the options. */
  stop(options?: { keepData?: boolean }): Promise<void>
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'samsa-test-cluster-'))
  const ownsDir = options.dir === undefined
  // The broker's port is picked up front so that a restart binds the same one the proxy forwards to.
  const brokerPort = await freePort()
  const faults = await FaultProxy.start({ target: { host: HOST, port: brokerPort } })
  const launch = (): Promise<RunningBroker> =>
    startBroker({
      logger: options.logger ?? silentLogger,
      host: HOST,
      port: brokerPort,
      config: {
        'num.partitions': 1,
        ...options.config,
        'log.dirs': dir,
        'advertised.listeners': `PLAINTEXT://${faults.address}`,
      },
    })
  let broker: RunningBroker
  try {
    broker = await launch()
  } catch (error) {
    await faults.close()
    if (ownsDir) rmSync(dir, { recursive: true, force: true })
    throw error
  }
  let stopped = false
  return {
    bootstrapServers: faults.address,
    faults,
    dir,
    get broker() {
      return broker
    },
    brokerAddress: { host: HOST, port: brokerPort },
    async restart(restartOptions = {}) {
      if (stopped) throw new Error('the test cluster was stopped')
      await broker.close()
      await restartOptions.whileStopped?.()
      broker = await launch()
    },
    async stop(stopOptions = {}) {
      if (stopped) return
      stopped = true
      await faults.close()
      await broker.close()
      if (ownsDir && stopOptions.keepData !== true) rmSync(dir, { recursive: true, force: true })
    },
  }
}
