// Client settings from the command line, as Kafka's tools take them: a Java .properties file (--command-config,
// --producer.config, --consumer.config), `k=v` overrides (--producer-property, --consumer-property), and
// --bootstrap-server, which wins. The client accepts Kafka's property names itself; keys a client does not know
// (security.protocol=PLAINTEXT, Java-only settings) are reported on stderr and left out, as Kafka's clients warn
// "supplied but isn't a known config" instead of failing.

import { readFileSync } from 'node:fs'
import {
  createAdmin,
  createConsumer,
  createProducer,
  JAVA_PROPERTIES_BY_CLIENT,
  javaPropertiesFrom,
  type Admin,
  type Consumer,
  type Producer,
} from '@samsa/client'
import { UsageError, type ParsedArgs } from './args.ts'
import type { CliIo } from './io.ts'

/** Parses Java's .properties format (java.util.Properties rules, shared with the broker and the client). */
export function parseProperties(text: string): Record<string, string> {
  return javaPropertiesFrom(text) as Record<string, string>
}

export function loadProperties(path: string, flag: string): Record<string, string> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`--${flag}: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  return parseProperties(text)
}

export type ClientKind = 'producer' | 'consumer' | 'admin'

/**
 * The client's settings: the properties files named by `fileFlags` (in order), then `overrides`, then
 * --bootstrap-server. Unknown keys are reported on stderr and dropped.
 */
export function clientProperties(
  kind: ClientKind,
  args: ParsedArgs,
  io: CliIo,
  options: { fileFlags?: readonly string[]; overrides?: Record<string, string> } = {},
): Record<string, string> {
  const merged: Record<string, string> = {}
  for (const flag of options.fileFlags ?? ['command-config']) {
    const path = args.string(flag)
    if (path !== undefined) Object.assign(merged, loadProperties(path, flag))
  }
  Object.assign(merged, options.overrides ?? {})
  // --broker-list: the older name in console-producer and get-offsets, which Kafka 2.x procedures still use.
  const bootstrap = args.string('bootstrap-server') ?? args.string('broker-list')
  if (bootstrap !== undefined) merged['bootstrap.servers'] = bootstrap
  if (merged['bootstrap.servers'] === undefined) throw new UsageError('--bootstrap-server must be specified')
  const known = JAVA_PROPERTIES_BY_CLIENT[kind]
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(merged)) {
    if (known.has(key)) out[key] = value
    else if (key === 'security.protocol' && value !== 'PLAINTEXT') {
      // Connecting in plaintext to a cluster that wants TLS or SASL would only fail later and more obscurely.
      throw new UsageError(`security.protocol=${value} is not supported yet; only PLAINTEXT`)
    } else io.stderr.write(`WARN The configuration '${key}' was supplied but isn't a known ${kind} config.\n`)
  }
  return out
}

export function adminFrom(args: ParsedArgs, io: CliIo): Admin {
  return createAdmin(clientProperties('admin', args, io))
}

/** An admin client on another client's settings (those an admin client knows; the rest are not its business). */
export function adminFromProps(props: Record<string, string>): Admin {
  const known = JAVA_PROPERTIES_BY_CLIENT.admin
  return createAdmin(Object.fromEntries(Object.entries(props).filter(([k]) => known.has(k))))
}

export function producerFrom(props: Record<string, string>): Producer {
  return createProducer(props)
}

export function consumerFrom(props: Record<string, string>): Consumer {
  return createConsumer(props)
}
