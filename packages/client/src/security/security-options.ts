// How a client secures its connections, from either the camelCase options (`ssl` with Node's TLS options, `sasl`
// with a mechanism and credentials, as Node users know them from kafkajs) or Kafka's Java properties
// (security.protocol, ssl.truststore.*, ssl.keystore.*, ssl.endpoint.identification.algorithm, sasl.mechanism,
// sasl.jaas.config), so a client.properties written for Kafka's tools works as it is. Resolved once, at
// construction, with every mistake reported under the key that caused it.

import { readFileSync } from 'node:fs'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { invalidOption } from '../options.ts'
import type { SaslOptions } from './sasl.ts'

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'

/** The security options as parseOptions returns them (camelCase names of the Java properties). */
export interface SecurityOptionValues {
  securityProtocol?: SecurityProtocol
  ssl?: boolean | TlsOptions
  sasl?: SaslOptions
  sslTruststoreType?: string
  sslTruststoreLocation?: string
  sslTruststorePassword?: string
  sslTruststoreCertificates?: string
  sslKeystoreType?: string
  sslKeystoreLocation?: string
  sslKeystorePassword?: string
  sslKeystoreKey?: string
  sslKeystoreCertificateChain?: string
  sslKeyPassword?: string
  sslEndpointIdentificationAlgorithm?: string
  saslMechanism?: string
  saslJaasConfig?: string
}

export interface ResolvedSecurity {
  /** Node TLS options for every connection, or null for plaintext. */
  tls: TlsOptions | null
  sasl: SaslOptions | null
}

export function resolveSecurity(values: SecurityOptionValues): ResolvedSecurity {
  const wantsTls = values.ssl !== undefined && values.ssl !== false
  const javaSsl = Object.entries(values).some(
    ([name, v]) => name.startsWith('ssl') && name !== 'ssl' && v !== undefined,
  )
  const saslGiven =
    values.sasl !== undefined || values.saslMechanism !== undefined || values.saslJaasConfig !== undefined
  const protocol: SecurityProtocol =
    values.securityProtocol ??
    (wantsTls || javaSsl ? (saslGiven ? 'SASL_SSL' : 'SSL') : saslGiven ? 'SASL_PLAINTEXT' : 'PLAINTEXT')
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
  if (wantsTls && !usesTls) throw invalidOption('ssl', `is set, but security.protocol is ${protocol}`)
  if (saslGiven && !usesSasl) {
    throw invalidOption(
      values.sasl !== undefined ? 'sasl' : 'sasl.mechanism',
      `is set, but security.protocol is ${protocol}`,
    )
  }
  return {
    tls: usesTls ? tlsOptions(values) : null,
    sasl: usesSasl ? saslOptions(values, protocol) : null,
  }
}

function tlsOptions(values: SecurityOptionValues): TlsOptions {
  const tls: TlsOptions = typeof values.ssl === 'object' ? { ...values.ssl } : {}
  const trusted = [values.sslTruststoreCertificates, readTruststore(values)].filter((c) => c !== undefined)
  if (trusted.length > 0) tls.ca = trusted
  Object.assign(tls, keystore(values))
  // Kafka's default ("https") checks that the broker's certificate names the host; "" turns only that check off,
  // the chain is still verified.
  const algorithm = values.sslEndpointIdentificationAlgorithm
  if (algorithm === '') tls.checkServerIdentity = () => undefined
  else if (algorithm !== undefined && algorithm.toLowerCase() !== 'https') {
    throw invalidOption('ssl.endpoint.identification.algorithm', `must be "https" or empty, got "${algorithm}"`)
  }
  return tls
}

function readTruststore(values: SecurityOptionValues): string | undefined {
  const location = values.sslTruststoreLocation
  if (location === undefined) return undefined
  const contents = storeFile('ssl.truststore.location', location)
  const type = storeType('ssl.truststore.type', values.sslTruststoreType, location, contents)
  if (type !== 'PEM') {
    throw invalidOption(
      'ssl.truststore.type',
      `${type} truststores cannot be read by Node.js: export the CA certificates as PEM and set ssl.truststore.type=PEM`,
    )
  }
  return contents().toString('utf8')
}

function keystore(values: SecurityOptionValues): TlsOptions {
  const location = values.sslKeystoreLocation
  if (values.sslKeystoreKey !== undefined || values.sslKeystoreCertificateChain !== undefined) {
    if (values.sslKeystoreKey === undefined || values.sslKeystoreCertificateChain === undefined) {
      const missing = values.sslKeystoreKey === undefined ? 'ssl.keystore.key' : 'ssl.keystore.certificate.chain'
      throw invalidOption(missing, 'is required with the other of ssl.keystore.key and ssl.keystore.certificate.chain')
    }
    return { key: values.sslKeystoreKey, cert: values.sslKeystoreCertificateChain, passphrase: values.sslKeyPassword }
  }
  if (location === undefined) return {}
  const contents = storeFile('ssl.keystore.location', location)
  const type = storeType('ssl.keystore.type', values.sslKeystoreType, location, contents)
  const bytes = contents()
  if (type === 'PKCS12') return { pfx: bytes, passphrase: values.sslKeystorePassword }
  if (type === 'PEM') {
    // One PEM file with the private key and the certificate chain, as Kafka's PEM keystores hold them (KIP-651).
    const pem = bytes.toString('utf8')
    return { key: pem, cert: pem, passphrase: values.sslKeyPassword }
  }
  throw invalidOption('ssl.keystore.type', 'JKS keystores cannot be read by Node.js: convert to PKCS12 or PEM')
}

/** The store's type as given, else PEM when the file looks like PEM and PKCS12 for .p12/.pfx (Java would say JKS). */
function storeType(
  key: string,
  given: string | undefined,
  location: string,
  contents: () => Buffer,
): 'PEM' | 'PKCS12' | 'JKS' {
  if (given !== undefined) {
    const type = given.toUpperCase()
    if (type !== 'PEM' && type !== 'PKCS12' && type !== 'JKS') {
      throw invalidOption(key, `must be PEM, PKCS12 or JKS, got "${given}"`)
    }
    return type
  }
  if (/\.(p12|pfx)$/i.test(location)) return 'PKCS12'
  const head = contents().subarray(0, 64).toString('latin1')
  return head.includes('-----BEGIN') ? 'PEM' : 'JKS'
}

/** The store file's bytes, read on first use and then kept (sniffing the type and loading it read it once). */
function storeFile(key: string, location: string): () => Buffer {
  let bytes: Buffer | undefined
  return () => {
    try {
      return (bytes ??= readFileSync(location))
    } catch (error) {
      throw invalidOption(key, `names a file that cannot be read: ${(error as Error).message}`)
    }
  }
}

const BUILT_IN_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']

function saslOptions(values: SecurityOptionValues, protocol: SecurityProtocol): SaslOptions {
  if (values.sasl !== undefined) return checkSasl(values.sasl)
  const mechanism = values.saslMechanism?.toUpperCase()
  if (mechanism === undefined) {
    throw invalidOption(
      'sasl.mechanism',
      `is required with security.protocol ${protocol} (Kafka's default, GSSAPI, is not supported)`,
    )
  }
  if (mechanism === 'OAUTHBEARER') {
    throw invalidOption('sasl.mechanism', 'OAUTHBEARER needs the sasl option with an oauthBearerProvider function')
  }
  if (!BUILT_IN_MECHANISMS.includes(mechanism)) {
    throw invalidOption(
      'sasl.mechanism',
      `${mechanism} is not built in: pass the sasl option with an authenticate function`,
    )
  }
  if (values.saslJaasConfig === undefined)
    throw invalidOption('sasl.jaas.config', `is required with sasl.mechanism ${mechanism}`)
  const { loginModule, options } = parseJaasConfig(values.saslJaasConfig)
  const expected = mechanism === 'PLAIN' ? 'PlainLoginModule' : 'ScramLoginModule'
  if (!loginModule.endsWith(`.${expected}`) && loginModule !== expected) {
    throw invalidOption('sasl.jaas.config', `uses ${loginModule}, but sasl.mechanism ${mechanism} needs ${expected}`)
  }
  const { username, password } = options
  if (username === undefined || password === undefined) {
    throw invalidOption('sasl.jaas.config', 'must set username="..." and password="..."')
  }
  return { mechanism: mechanism as 'PLAIN', username, password }
}

function checkSasl(sasl: SaslOptions): SaslOptions {
  if (typeof sasl !== 'object' || sasl === null || typeof sasl.mechanism !== 'string') {
    throw invalidOption('sasl', 'must be an object with a mechanism')
  }
  const mechanism = sasl.mechanism.toUpperCase()
  if ('authenticate' in sasl) {
    if (typeof sasl.authenticate !== 'function') throw invalidOption('sasl', 'authenticate must be a function')
    return sasl
  }
  if (!BUILT_IN_MECHANISMS.includes(mechanism)) {
    throw invalidOption('sasl', `mechanism ${sasl.mechanism} is not built in: give an authenticate function for it`)
  }
  if (mechanism === 'OAUTHBEARER') {
    if (!('oauthBearerProvider' in sasl) || typeof sasl.oauthBearerProvider !== 'function') {
      throw invalidOption('sasl', 'OAUTHBEARER needs an oauthBearerProvider function')
    }
    return { mechanism: 'OAUTHBEARER', oauthBearerProvider: sasl.oauthBearerProvider }
  }
  const { username, password } = sasl as { username?: unknown; password?: unknown }
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw invalidOption('sasl', `${mechanism} needs username and password strings`)
  }
  return { mechanism: mechanism as 'PLAIN', username, password }
}

/**
 * `<LoginModule class> <flag> key="value" key2=value2;` — the one login module a client's sasl.jaas.config holds.
 * Values may be quoted (with \" and \\ escapes) or bare.
 */
export function parseJaasConfig(text: string): { loginModule: string; options: Record<string, string> } {
  const match = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b(.*?);?\s*$/s.exec(text)
  if (match === null) {
    throw invalidOption(
      'sasl.jaas.config',
      'must look like: <LoginModule class> required username="..." password="...";',
    )
  }
  const options: Record<string, string> = {}
  const pairs = /\s*([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/gy
  const rest = match[3] as string
  let at = 0
  for (let pair = pairs.exec(rest); pair !== null; pair = pairs.exec(rest)) {
    options[pair[1] as string] = pair[2] !== undefined ? pair[2].replace(/\\(.)/g, '$1') : (pair[3] as string)
    at = pairs.lastIndex
  }
  if (rest.slice(at).trim() !== '') {
    throw invalidOption('sasl.jaas.config', `cannot read the options from ${JSON.stringify(rest.slice(at).trim())}`)
  }
  return { loginModule: match[1] as string, options }
}
