// Process entry: `samsa broker [server.properties] [--config server.properties] [--override key=value]...`, the
// same shape as Kafka's kafka-server-start.sh. Loads the config (defaults < file < SAMSA_* env < --override),
// starts the broker, prints where it listens and keeps its data, and shuts down cleanly on SIGINT/SIGTERM
// (connections closed, logs flushed, checkpoints written). A bad config exits 1 naming the key.
// Imports stay light so a cold start reaches "listening" quickly.

import { resolve as resolvePath } from 'node:path'
import { parseArgs } from 'node:util'
import { startBroker } from './broker.ts'
import { ConfigError } from './config/define.ts'
import { parseOverride } from './config/load.ts'
import { consoleLogger, type LogLevel } from './logger.ts'

const USAGE = `Usage: samsa broker [server.properties] [--config <file>] [--override <key>=<value>]...

Starts a Samsa broker. Configs use Kafka's names (log.dirs, listeners, num.partitions, ...).
Precedence, lowest first: defaults, the properties file, SAMSA_* environment variables
(SAMSA_LOG_SEGMENT_BYTES sets log.segment.bytes), then --override flags.

Options:
  --config <file>          a server.properties file (also accepted as the first argument)
  --override <key=value>   set one config; may be repeated
  --log-level <level>      debug, info, warn or error (default info; SAMSA_LOG_LEVEL also works)
  -h, --help               show this help
`

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '-h' || command === '--help') {
    process.stdout.write(USAGE)
    return 0
  }
  if (command !== undefined && command !== 'broker') {
    process.stderr.write(`samsa: unknown command '${command}'\n\n${USAGE}`)
    return 1
  }
  let args
  try {
    args = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        override: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    process.stderr.write(`samsa: ${(e as Error).message}\n\n${USAGE}`)
    return 1
  }
  if (args.values.help === true) {
    process.stdout.write(USAGE)
    return 0
  }
  if (args.positionals.length > 1) {
    process.stderr.write(`samsa: unexpected arguments: ${args.positionals.slice(1).join(' ')}\n`)
    return 1
  }
  const env = { ...process.env }
  const level = (args.values['log-level'] ?? env.SAMSA_LOG_LEVEL ?? 'info') as LogLevel
  delete env.SAMSA_LOG_LEVEL
  const logger = consoleLogger(level)
  const configFile = args.values.config ?? args.positionals[0]
  // Signal handlers go in before the listener opens: a supervisor that stops the broker as soon as the port
  // accepts (or the ready line appears) must not hit the default action, which the OS applies until process.on
  // installs a handler. A signal during start-up stops the broker right after it has started.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal} received, shutting down`)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  let broker
  try {
    const overrides = (args.values.override ?? []).map(parseOverride)
    broker = await startBroker({ ...(configFile === undefined ? {} : { configFile }), overrides, env, logger })
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`samsa: invalid configuration: ${e.message}\n`)
      return 1
    }
    logger.error('the broker failed to start', e)
    return 1
  }
  const addresses = broker.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(', ')
  process.stdout.write(
    `Samsa broker ${broker.nodeId} (cluster ${broker.clusterId}) listening on ${addresses}; data in ${broker.logDirs.map((d) => resolvePath(d)).join(', ')}\n`,
  )
  await stopped
  await broker.close()
  return 0
}

// Run when executed directly (node main.ts / the bin), not when imported.
const entry = process.argv[1] ?? ''
if (entry.endsWith('main.ts') || entry.endsWith('main.js') || entry.endsWith('samsa') || entry.endsWith('samsa.js')) {
  const argv = process.argv.slice(2)
  main(argv[0] === 'broker' ? argv : ['broker', ...argv]).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
