// A single-node test cluster: an in-process broker behind a FaultProxy, in a fresh temp dir. The broker advertises
// the proxy's address, so every connection a client opens after bootstrap (to the partition leader, to the group
// or transaction coordinator) goes through the proxy and its faults too. restart() stops the broker and starts it
// again on the same port and data dir, which clients see as dropped connections followed by refused ones until it
// is back.
//
// The broker binds an ephemeral port itself rather than one picked up front: a port found free and released could be
// taken again (by the proxy's own bind or a parallel test) before the broker binds it. A restart binds the same port
// again and, should another socket have taken it meanwhile, a new ephemeral one the proxy is pointed at instead.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, startBroker, type ConfigInput, type Logger, type RunningBroker } from '@samsa/broker'
import { FaultProxy } from './fault-proxy.ts'

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
  /** The broker's own listener, bypassing the proxy (e.g. for a raw check that must not meet a fault); a restart
   * keeps it unless the port was taken while the broker was down. */
  readonly brokerAddress: { host: string; port: number }
  /**
   * Stops the broker (connections dropped, logs flushed) and starts it again on the same data dir (and port, if
   * still free).
   * `whileStopped` runs in between, e.g. to send while nothing answers.
   */
  restart(options?: { whileStopped?: () => void | Promise<void> }): Promise<void>
  /** Stops the broker and the proxy; removes the data dir unless `keepData` or it was given in the options. */
  stop(options?: { keepData?: boolean }): Promise<void>
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'samsa-test-cluster-'))
  const ownsDir = options.dir === undefined
  // The proxy's target is set once the broker has bound its port; nothing connects before then.
  const faults = await FaultProxy.start({ target: { host: HOST, port: 0 } })
  const launch = (port: number): Promise<RunningBroker> =>
    startBroker({
      logger: options.logger ?? silentLogger,
      host: HOST,
      port,
      config: {
        'num.partitions': 1,
        ...options.config,
        'log.dirs': dir,
        'advertised.listeners': `PLAINTEXT://${faults.address}`,
      },
    })
  const relaunch = async (port: number): Promise<RunningBroker> => {
    try {
      return await launch(port)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      return launch(0)
    }
  }
  let broker: RunningBroker
  try {
    broker = await launch(0)
  } catch (error) {
    await faults.close()
    if (ownsDir) rmSync(dir, { recursive: true, force: true })
    throw error
  }
  faults.target = { host: HOST, port: broker.boundPort }
  let stopped = false
  return {
    bootstrapServers: faults.address,
    faults,
    dir,
    get broker() {
      return broker
    },
    get brokerAddress() {
      return { host: HOST, port: broker.boundPort }
    },
    async restart(restartOptions = {}) {
      if (stopped) throw new Error('the test cluster was stopped')
      await broker.close()
      await restartOptions.whileStopped?.()
      broker = await relaunch(broker.boundPort)
      faults.target = { host: HOST, port: broker.boundPort }
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
