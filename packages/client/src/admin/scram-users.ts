// SCRAM credentials (KIP-554): DescribeUserScramCredentials and AlterUserScramCredentials. The password never
// crosses the wire: the client picks a random salt and sends SaltedPassword = Hi(password, salt, iterations) of
// RFC 5802 §2.2, which is PBKDF2 with HMAC-SHA-256/512 and the hash's output length, as Kafka's admin client does.
// The broker derives StoredKey and ServerKey from it. Any broker may answer (KRaft brokers forward alterations).

import { randomBytes } from 'node:crypto'
import { AlterUserScramCredentials, DescribeUserScramCredentials, ErrorCode } from '@samsa/protocol'
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import { throwIfAny } from '../cluster/sharding.ts'
import { KafkaProtocolError } from '../errors.ts'
import { saltedPassword, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, type ScramMechanism } from '../security/scram.ts'
import { checkList, invalidArgument, requireName } from './arguments.ts'

export type { ScramMechanism }

/** Kafka's ScramMechanism codes. */
const MECHANISM_CODES: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 }

const SALT_BYTES = 32

export interface ScramCredentialInfo {
  mechanism: ScramMechanism | 'UNKNOWN'
  iterations: number
}

export interface UserScramCredentials {
  user: string
  credentials: ScramCredentialInfo[]
}

export interface ScramUpsertion {
  user: string
  mechanism: ScramMechanism
  password: string
  /** 4096 (the default) to 16384. */
  iterations?: number
}

export interface ScramDeletion {
  user: string
  mechanism: ScramMechanism
}

function mechanismOf(field: string, value: unknown): ScramMechanism {
  if (typeof value !== 'string' || !Object.hasOwn(MECHANISM_CODES, value)) {
    throw invalidArgument(`${field} must be SCRAM-SHA-256 or SCRAM-SHA-512, got ${JSON.stringify(value)}`)
  }
  return value as ScramMechanism
}

function mechanismName(code: number): ScramMechanism | 'UNKNOWN' {
  const found = (Object.keys(MECHANISM_CODES) as ScramMechanism[]).find((m) => MECHANISM_CODES[m] === code)
  return found ?? 'UNKNOWN'
}

/** A KafkaProtocolError for each user the broker refused, naming the user. */
function userFailures(
  results: readonly { user: string; errorCode: number; errorMessage: string | null }[],
  apiKey: number,
  apiVersion: number,
): KafkaProtocolError[] {
  return results
    .filter((r) => r.errorCode !== ErrorCode.NONE)
    .map(
      (r) =>
        new KafkaProtocolError({
          errorCode: r.errorCode,
          apiKey,
          apiVersion,
          brokerMessage: `user ${r.user}${r.errorMessage === null ? '' : `: ${r.errorMessage}`}`,
        }),
    )
}

/** Credentials of `users`, or of every user with any when `users` is absent or empty (as in Kafka's admin client). */
export async function describeUserScramCredentialsOn(
  connection: BrokerConnection,
  users: readonly string[] | undefined,
): Promise<UserScramCredentials[]> {
  if (users !== undefined) checkList('users', users, true)
  const names = users === undefined || users.length === 0 ? null : users.map((u, i) => requireName(`users[${i}]`, u))
  const { response, version } = await connection.request(DescribeUserScramCredentials, () =>
    DescribeUserScramCredentials.request.make({ users: names === null ? null : names.map((name) => ({ name })) }),
  )
  if (response.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError({
      errorCode: response.errorCode,
      apiKey: DescribeUserScramCredentials.key,
      apiVersion: version,
      brokerMessage: response.errorMessage,
    })
  }
  // A user asked for by name without credentials answers RESOURCE_NOT_FOUND; like Kafka's all(), that fails the call.
  throwIfAny(userFailures(response.results, DescribeUserScramCredentials.key, version), 'users')
  return response.results.map((r) => ({
    user: r.user,
    credentials: r.credentialInfos.map((c) => ({ mechanism: mechanismName(c.mechanism), iterations: c.iterations })),
  }))
}

/** The wire form of an upsertion: a fresh random salt and Hi(password, salt, iterations). */
async function saltedUpsertion(u: ScramUpsertion, at: string) {
  const name = requireName(`${at}.user`, u.user)
  const mechanism = mechanismOf(`${at}.mechanism`, u.mechanism)
  if (typeof u.password !== 'string' || u.password === '')
    throw invalidArgument(`${at}.password must be a non-empty string`)
  const iterations = u.iterations ?? SCRAM_MIN_ITERATIONS
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
    throw invalidArgument(
      `${at}.iterations must be an integer from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS} ` +
        `(Kafka refuses others), got ${String(iterations)}`,
    )
  }
  const salt = randomBytes(SALT_BYTES)
  const salted = await saltedPassword(mechanism, u.password, salt, iterations)
  return { name, mechanism: MECHANISM_CODES[mechanism], iterations, salt, saltedPassword: salted }
}

/** Upserts and deletes credentials in one request; each user Kafka refuses becomes a KafkaProtocolError. */
export async function alterUserScramCredentialsOn(
  connection: BrokerConnection,
  upsertions: readonly ScramUpsertion[],
  deletions: readonly ScramDeletion[],
): Promise<void> {
  checkList('upsertions', upsertions, true)
  checkList('deletions', deletions, true)
  if (upsertions.length + deletions.length === 0) throw invalidArgument('upsertions and deletions are both empty')
  const wireDeletions = deletions.map((d, i) => ({
    name: requireName(`deletions[${i}].user`, d.user),
    mechanism: MECHANISM_CODES[mechanismOf(`deletions[${i}].mechanism`, d.mechanism)],
  }))
  const wireUpsertions = await Promise.all(upsertions.map((u, i) => saltedUpsertion(u, `upsertions[${i}]`)))
  const { response, version } = await connection.request(AlterUserScramCredentials, () =>
    AlterUserScramCredentials.request.make({ deletions: wireDeletions, upsertions: wireUpsertions }),
  )
  throwIfAny(userFailures(response.results, AlterUserScramCredentials.key, version), 'users')
}
