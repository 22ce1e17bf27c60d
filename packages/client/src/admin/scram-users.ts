// SCRAM credentials (KIP-554): DescribeUserScramCredentials and AlterUserScramCredentials. The password never
// crosses the wire: the client picks a random salt and sends SaltedPassword = Hi(password, salt, iterations) of
// RFC 5802 §2.2, which is PBKDF2 with HMAC-SHA-256/512 and the hash's output length, as Kafka's admin client does.
// The broker derives StoredKey and ServerKey from it. Any broker may answer (KRaft brokers forward alterations).

import { pbkdf2, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { AlterUserScramCredentials, DescribeUserScramCredentials, ErrorCode } from '@samsa/protocol'
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import { throwIfAny } from '../cluster/sharding.ts'
import { KafkaProtocolError } from '../errors.ts'
import { checkList, invalidArgument, requireName } from './arguments.ts'

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

/** Kafka's ScramMechanism codes, the PBKDF2 digest and its output length in bytes. */
const MECHANISMS: Record<ScramMechanism, { code: number; digest: string; bytes: number }> = {
  'SCRAM-SHA-256': { code: 1, digest: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { code: 2, digest: 'sha512', bytes: 64 },
}

/** Kafka refuses iteration counts outside this range (its ScramMechanism minimum and maximum). */
const SCRAM_MIN_ITERATIONS = 4096
const SCRAM_MAX_ITERATIONS = 16384
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

const pbkdf2Async = promisify(pbkdf2)

function mechanismOf(field: string, value: unknown) {
  const found = typeof value === 'string' ? MECHANISMS[value as ScramMechanism] : undefined
  if (found === undefined) {
    throw invalidArgument(`${field} must be SCRAM-SHA-256 or SCRAM-SHA-512, got ${JSON.stringify(value)}`)
  }
  return found
}

function mechanismName(code: number): ScramMechanism | 'UNKNOWN' {
  const found = (Object.keys(MECHANISMS) as ScramMechanism[]).find((m) => MECHANISMS[m].code === code)
  return found ?? 'UNKNOWN'
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
  const failures = response.results
    .filter((r) => r.errorCode !== ErrorCode.NONE)
    .map(
      (r) =>
        new KafkaProtocolError({
          errorCode: r.errorCode,
          apiKey: DescribeUserScramCredentials.key,
          apiVersion: version,
          brokerMessage: `user ${r.user}${r.errorMessage === null ? '' : `: ${r.errorMessage}`}`,
        }),
    )
  throwIfAny(failures, 'users')
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
  const saltedPassword = await pbkdf2Async(u.password, salt, iterations, mechanism.bytes, mechanism.digest)
  return { name, mechanism: mechanism.code, iterations, salt, saltedPassword }
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
    mechanism: mechanismOf(`deletions[${i}].mechanism`, d.mechanism).code,
  }))
  const wireUpsertions = await Promise.all(upsertions.map((u, i) => saltedUpsertion(u, `upsertions[${i}]`)))
  const { response, version } = await connection.request(AlterUserScramCredentials, () =>
    AlterUserScramCredentials.request.make({ deletions: wireDeletions, upsertions: wireUpsertions }),
  )
  const failures = response.results
    .filter((r) => r.errorCode !== ErrorCode.NONE)
    .map(
      (r) =>
        new KafkaProtocolError({
          errorCode: r.errorCode,
          apiKey: AlterUserScramCredentials.key,
          apiVersion: version,
          brokerMessage: `user ${r.user}${r.errorMessage === null ? '' : `: ${r.errorMessage}`}`,
        }),
    )
  throwIfAny(failures, 'users')
}
