// `samsa console-producer`: kafka-console-producer.sh. Each line of stdin (or --file) becomes one record; with
// `--property parse.key=true` the text before key.separator (default a tab) is the key, with parse.headers=true
// the line starts with headers (h1:v1,h2:v2, then headers.delimiter). Defaults follow Kafka's tool: acks -1,
// linger 1000 ms (--timeout), client.id console-producer. Sends are pipelined; a failed send is reported on
// stderr and makes the command exit 1 after the rest are delivered.

import type { ProducerMessage, RecordMetadata } from '@samsa/client'
import { keyValues, UsageError, type Command, type ParsedArgs } from '../args.ts'
import { clientProperties, producerFrom } from '../config.ts'
import { errorMessage, json } from '../format.ts'
import { fileChunks, readLines, type CliIo } from '../io.ts'

/** Records sent before waiting for the earlier ones, so a large file is never held in memory at once. */
const MAX_PENDING = 10_000
const COMPRESSION_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export const consoleProducerCommand: Command = {
  name: 'console-producer',
  summary: 'Read lines from stdin (or a file) and produce each as a record (kafka-console-producer.sh).',
  usage: '--bootstrap-server <host:port> --topic <topic> [--property parse.key=true] ...',
  flags: {
    topic: { type: 'string', arg: 'topic', description: 'the topic to produce to (required)' },
    'broker-list': { type: 'string', arg: 'host:port', description: 'deprecated name of --bootstrap-server' },
    property: {
      type: 'string',
      multiple: true,
      arg: 'prop=value',
      description:
        'line reader settings: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, ' +
        'headers.key.separator, null.marker, ignore.error',
    },
    'reader-property': { type: 'string', multiple: true, arg: 'prop=value', description: 'same as --property' },
    'producer-property': { type: 'string', multiple: true, arg: 'prop=value', description: 'a producer config' },
    'producer.config': { type: 'string', arg: 'file', description: 'producer configs from a .properties file' },
    'compression-codec': {
      type: 'string',
      arg: 'codec',
      description: 'none, gzip, snappy, lz4 or zstd (gzip when given alone)',
    },
    'request-required-acks': { type: 'string', arg: 'acks', description: '0, 1 or -1/all (default -1)' },
    'request-timeout-ms': { type: 'string', arg: 'ms', description: 'request.timeout.ms (default 1500)' },
    timeout: { type: 'string', arg: 'ms', description: 'linger.ms: how long records wait for a batch (default 1000)' },
    'batch-size': { type: 'string', arg: 'bytes', description: 'batch.size (default 16384)' },
    sync: { type: 'boolean', description: 'wait for each record to be acknowledged before sending the next' },
    file: { type: 'string', arg: 'path', description: 'read lines from this file instead of stdin' },
  },
  // Kafka's flag alone means gzip.
  optionalValues: { 'compression-codec': 'gzip' },
  run: runConsoleProducer,
}

export interface LineReaderSettings {
  parseKey: boolean
  keySeparator: string
  parseHeaders: boolean
  headersDelimiter: string
  headersSeparator: string
  headersKeySeparator: string
  nullMarker: string | undefined
  ignoreError: boolean
}

export function lineReaderSettings(props: Record<string, string>): LineReaderSettings {
  return {
    parseKey: props['parse.key']?.toLowerCase() === 'true',
    keySeparator: props['key.separator'] ?? '\t',
    parseHeaders: props['parse.headers']?.toLowerCase() === 'true',
    headersDelimiter: props['headers.delimiter'] ?? '\t',
    headersSeparator: props['headers.separator'] ?? ',',
    headersKeySeparator: props['headers.key.separator'] ?? ':',
    nullMarker: props['null.marker'],
    ignoreError: props['ignore.error']?.toLowerCase() === 'true',
  }
}

/** One line into a record, as Kafka's LineMessageReader; throws naming what is missing unless ignore.error. */
export function parseLine(line: string, s: LineReaderSettings, lineNumber: number): ProducerMessage {
  let rest = line
  const message: ProducerMessage = { value: null }
  const orNull = (text: string) => (s.nullMarker !== undefined && text === s.nullMarker ? null : text)
  if (s.parseHeaders) {
    const at = rest.indexOf(s.headersDelimiter)
    if (at < 0) {
      if (!s.ignoreError) throw new Error(`No headers delimiter found on line number ${lineNumber}: '${line}'`)
    } else {
      const text = rest.slice(0, at)
      rest = rest.slice(at + s.headersDelimiter.length)
      if (text !== '' && text !== s.nullMarker) {
        message.headers = text.split(s.headersSeparator).map((pair) => {
          const k = pair.indexOf(s.headersKeySeparator)
          return k < 0
            ? { key: pair, value: null }
            : { key: pair.slice(0, k), value: orNull(pair.slice(k + s.headersKeySeparator.length)) }
        })
      }
    }
  }
  if (s.parseKey) {
    const at = rest.indexOf(s.keySeparator)
    if (at < 0) {
      if (!s.ignoreError) throw new Error(`No key separator found on line number ${lineNumber}: '${line}'`)
      message.value = orNull(rest)
      return message
    }
    message.key = orNull(rest.slice(0, at))
    rest = rest.slice(at + s.keySeparator.length)
  }
  message.value = orNull(rest)
  return message
}

async function runConsoleProducer(args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = args.requireString('topic')
  const reader = lineReaderSettings(keyValues([...args.list('property'), ...args.list('reader-property')], 'property'))
  const overrides: Record<string, string> = {
    'client.id': 'console-producer',
    acks: '-1',
    'linger.ms': '1000',
    'request.timeout.ms': '1500',
  }
  const codec = args.string('compression-codec')
  if (codec !== undefined) {
    if (!COMPRESSION_CODECS.includes(codec)) {
      throw new UsageError(`--compression-codec must be one of ${COMPRESSION_CODECS.join(', ')}, got '${codec}'`)
    }
    overrides['compression.type'] = codec
  }
  const acks = args.string('request-required-acks')
  if (acks !== undefined) {
    if (!['0', '1', '-1', 'all'].includes(acks)) {
      throw new UsageError(`--request-required-acks must be 0, 1, -1 or all, got '${acks}'`)
    }
    overrides.acks = acks
  }
  const timeout = args.int('timeout', 0)
  if (timeout !== undefined) overrides['linger.ms'] = String(timeout)
  const requestTimeout = args.int('request-timeout-ms', 1)
  if (requestTimeout !== undefined) overrides['request.timeout.ms'] = String(requestTimeout)
  const batchSize = args.int('batch-size', 1)
  if (batchSize !== undefined) overrides['batch.size'] = String(batchSize)
  Object.assign(overrides, keyValues(args.list('producer-property'), 'producer-property'))
  const props = clientProperties('producer', args, io, {
    fileFlags: ['command-config', 'producer.config'],
    overrides,
  })
  const file = args.string('file')
  const producer = producerFrom(props)
  let failed = 0
  let sent = 0
  let pending: Promise<unknown>[] = []
  const report = (message: ProducerMessage) => (error: unknown) => {
    failed++
    const size = message.value === null ? 0 : Buffer.byteLength(message.value)
    io.stderr.write(
      `ERROR Error when sending message to topic ${topic} with key: ${message.key === undefined || message.key === null ? 'null' : `${Buffer.byteLength(message.key)} bytes`}, value: ${size} bytes with error: ${errorMessage(error)}\n`,
    )
  }
  try {
    let lineNumber = 0
    if (io.stdinIsTTY && file === undefined) io.stdout.write('>')
    // Ctrl-C ends the read even while it waits for a line (a terminal), then what was typed is still delivered.
    const aborted = new Promise<'aborted'>((resolve) => {
      if (io.signal.aborted) resolve('aborted')
      io.signal.addEventListener('abort', () => resolve('aborted'), { once: true })
    })
    const lines = readLines(file === undefined ? io.stdin() : fileChunks(file))[Symbol.asyncIterator]()
    for (;;) {
      const next = await Promise.race([lines.next(), aborted])
      if (next === 'aborted' || next.done === true) break
      const line = next.value
      lineNumber++
      const message = parseLine(line, reader, lineNumber)
      const delivery = producer.send({ topic, messages: [message] }).then((m: RecordMetadata[]) => m, report(message))
      sent++
      if (args.flag('sync')) await delivery
      else pending.push(delivery)
      if (pending.length >= MAX_PENDING) {
        await Promise.all(pending)
        pending = []
      }
      if (io.stdinIsTTY && file === undefined) io.stdout.write('>')
    }
    await Promise.all(pending)
  } finally {
    await producer.close()
  }
  if (args.json) io.stdout.write(json({ topic, sent, failed }))
  return failed > 0 ? 1 : 0
}
