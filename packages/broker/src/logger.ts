// A minimal leveled logger. The broker takes one in its options (tests pass a silent or capturing one); the
// default writes to stderr with a level and timestamp, as Kafka's log4j console appender does.

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string, error?: unknown): void
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 }

export function consoleLogger(level: LogLevel = 'info'): Logger {
  const min = ORDER[level]
  const write = (l: Exclude<LogLevel, 'silent'>, message: string) => {
    if (ORDER[l] >= min) process.stderr.write(`[${new Date().toISOString()}] ${l.toUpperCase()} ${message}\n`)
  }
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m, e) =>
      write('error', e === undefined ? m : `${m}\n${e instanceof Error ? (e.stack ?? e.message) : JSON.stringify(e)}`),
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
