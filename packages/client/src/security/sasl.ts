// SASL authentication of a fresh connection, after ApiVersions and before any other request: SaslHandshake v1
// names the mechanism, then SaslAuthenticate requests carry the mechanism's tokens (KIP-152). PLAIN, SCRAM-SHA-256/
// 512 (KIP-84) and OAUTHBEARER (KIP-255, the token from an application callback) are built in; any other mechanism
// (e.g. a cloud provider's IAM scheme) plugs in through `authenticate`, which gets an exchange function. The broker's
// answer may set a session lifetime (KIP-368): the connection is then replaced before it runs out.

import type { Connection } from '@samsa/net'
import { ErrorCode, SaslAuthenticate, SaslHandshake } from '@samsa/protocol'
import { KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { negotiateVersion, type BrokerVersions } from '../cluster/versions.ts'
import { ScramClient, ScramError } from './scram.ts'

export interface OAuthBearerToken {
  /** The compact-serialized token (a JWT, usually). */
  value: string
  /** SASL extensions sent with the token (KIP-342), e.g. a logical cluster id. */
  extensions?: Readonly<Record<string, string>>
}

/** What a custom mechanism gets: send a token, receive the broker's answer. */
export interface SaslExchange {
  host: string
  port: number
  exchange: (token: Buffer) => Promise<Buffer>
}

export type SaslOptions =
  | { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string }
  | { mechanism: 'OAUTHBEARER'; oauthBearerProvider: () => OAuthBearerToken | Promise<OAuthBearerToken> }
  | { mechanism: string; authenticate: (exchange: SaslExchange) => Promise<void> }

/**
 * Authenticates `connection`; resolves with the time (ms since the epoch) by which the session must be replaced,
 * or Infinity when the broker sets no lifetime. Failures are non-retriable SamsaErrors (a wrong password does not
 * get better by retrying), except a network failure, which propagates as it came.
 */
export async function authenticate(
  connection: Connection,
  versions: BrokerVersions,
  sasl: SaslOptions,
): Promise<number> {
  const where = `${connection.host}:${connection.port}`
  const handshakeVersion = negotiateVersion(SaslHandshake, versions)
  const authenticateVersion = negotiateVersion(SaslAuthenticate, versions)
  if (handshakeVersion !== 1 || authenticateVersion === null) {
    throw authenticationError(`${where} does not offer SASL over SaslAuthenticate (KIP-152): is SASL enabled there?`)
  }
  const handshake = await connection.request(
    SaslHandshake,
    1,
    SaslHandshake.request.make({ mechanism: sasl.mechanism }),
  )
  if (handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    const enabled = handshake.mechanisms.join(', ') || 'none'
    throw authenticationError(`${where} does not enable SASL mechanism ${sasl.mechanism} (enabled: ${enabled})`)
  }
  if (handshake.errorCode !== ErrorCode.NONE) throw protocolError(handshake.errorCode, SaslHandshake.key, 1)
  let lifetimeMs = 0n
  const exchange = async (token: Buffer): Promise<Buffer> => {
    const response = await connection.request(
      SaslAuthenticate,
      authenticateVersion,
      SaslAuthenticate.request.make({ authBytes: token }),
    )
    if (response.errorCode !== ErrorCode.NONE) {
      const why = response.errorMessage ?? 'no reason given'
      throw authenticationError(`SASL ${sasl.mechanism} authentication with ${where} failed: ${why}`)
    }
    lifetimeMs = response.sessionLifetimeMs
    return response.authBytes
  }
  const startedAt = Date.now()
  try {
    await runMechanism(sasl, { host: connection.host, port: connection.port, exchange })
  } catch (error) {
    if (error instanceof ScramError) throw authenticationError(`SCRAM with ${where}: ${error.message}`)
    throw error
  }
  // KIP-368: re-authenticate before the lifetime runs out; we reconnect at 85% of it, leaving room for requests
  // already in flight to finish on the old connection.
  return lifetimeMs > 0n ? startedAt + Number(lifetimeMs) * 0.85 : Infinity
}

async function runMechanism(sasl: SaslOptions, context: SaslExchange): Promise<void> {
  if ('authenticate' in sasl) return sasl.authenticate(context)
  if ('oauthBearerProvider' in sasl) {
    const token = await sasl.oauthBearerProvider()
    // RFC 7628 §3.1: gs2 header, then auth and extensions as key=value, each ended by ^A, and a final ^A.
    const extensions = Object.entries(token.extensions ?? {}).map(([k, v]) => `${k}=${v}\x01`)
    await context.exchange(Buffer.from(`n,,\x01auth=Bearer ${token.value}\x01${extensions.join('')}\x01`, 'utf8'))
    return
  }
  if (sasl.mechanism === 'PLAIN') {
    // RFC 4616: authzid (empty: act as the user itself), NUL, authcid, NUL, password.
    await context.exchange(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'))
    return
  }
  const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password)
  const serverFirst = await context.exchange(scram.firstMessage())
  const serverFinal = await context.exchange(await scram.finalMessage(serverFirst))
  scram.verify(serverFinal)
}

function authenticationError(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.AUTHENTICATION, message, { retriable: false })
}

function protocolError(errorCode: number, apiKey: number, apiVersion: number): KafkaProtocolError {
  return new KafkaProtocolError({ errorCode, apiKey, apiVersion })
}
