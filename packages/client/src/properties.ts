// Kafka's client.properties files as client options: `createProducer(readJavaProperties('producer.properties'))`.
// The keys stay Kafka's names; the option table (options.ts) maps them, so a file written for Kafka's tools works
// unchanged and a key the client does not know is reported by name when the client is created.

import { readFileSync } from 'node:fs'
import { parseJavaProperties } from '@samsa/protocol'
import { SamsaError, SamsaErrorCode } from './errors.ts'
import type { JavaProperties } from './options.ts'

/** Parses a Java .properties text (java.util.Properties rules) into client options keyed by Kafka's names. */
export function javaPropertiesFrom(text: string): JavaProperties {
  return Object.fromEntries(parseJavaProperties(text))
}

/** Reads a Java .properties file into client options keyed by Kafka's names. */
export function readJavaProperties(path: string): JavaProperties {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, `cannot read properties file ${path}: ${why}`, {
      cause: error,
    })
  }
  return javaPropertiesFrom(text)
}
