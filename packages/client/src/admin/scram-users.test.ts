// SCRAM credentials (KIP-554). Samsa's broker has no SCRAM APIs yet, so against it both calls fail with a clear
// SAMSA_ERR_UNSUPPORTED_VERSION. Against a scripted broker: the decoded AlterUserScramCredentials request carries,
// per upsertion, a fresh random salt and saltedPassword = PBKDF2-HMAC(password, salt, iterations) with the hash's
// length, recomputed here with node:crypto; per-user errors come back as KafkaProtocolErrors naming the user.

import assert from 'node:assert/strict'
import { pbkdf2Sync } from 'node:crypto'
import { test } from 'node:test'
import {
  AlterUserScramCredentials,
  DescribeUserScramCredentials,
  ErrorCode,
  type AlterUserScramCredentialsRequest,
} from '@samsa/protocol'
import { isKafkaProtocolError, isSamsaError, SamsaErrorCode } from '../errors.ts'
import { startTestBroker } from '../testing.ts'
import { createAdmin, type Admin } from './admin.ts'
import { handle, startScriptedBroker, type ScriptedBroker } from './scripted-admin-testing.ts'

const TIMEOUT = { timeout: 20_000 }
const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  isSamsaError(e) && e.code === code && (message === undefined || message.test(e.message))

async function scramBroker(): Promise<ScriptedBroker> {
  return startScriptedBroker([
    handle(DescribeUserScramCredentials, (body) => {
      const users = body.users?.map((u) => u.name) ?? ['alice', 'bob']
      return DescribeUserScramCredentials.response.make({
        results: users.map((user) =>
          user === 'alice'
            ? {
                user,
                errorCode: ErrorCode.NONE,
                errorMessage: null,
                credentialInfos: [
                  { mechanism: 1, iterations: 4096 },
                  { mechanism: 2, iterations: 8192 },
                ],
              }
            : user === 'bob'
              ? {
                  user,
                  errorCode: ErrorCode.NONE,
                  errorMessage: null,
                  credentialInfos: [{ mechanism: 2, iterations: 16384 }],
                }
              : {
                  user,
                  errorCode: ErrorCode.RESOURCE_NOT_FOUND,
                  errorMessage: 'Attempt to describe a user credential that does not exist',
                  credentialInfos: [],
                },
        ),
      })
    }),
    handle(AlterUserScramCredentials, (body) => {
      const users = [...new Set([...body.deletions, ...body.upsertions].map((x) => x.name))]
      return AlterUserScramCredentials.response.make({
        results: users.map((user) => ({
          user,
          errorCode:
            user === 'nobody'
              ? ErrorCode.RESOURCE_NOT_FOUND
              : user === 'mallory'
                ? ErrorCode.SECURITY_DISABLED
                : ErrorCode.NONE,
          errorMessage: user === 'nobody' ? 'no such credential' : null,
        })),
      })
    }),
  ])
}

async function withAdmin(broker: ScriptedBroker, run: (admin: Admin) => Promise<void>) {
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers, retryBackoffMs: 1 })
  try {
    await run(admin)
  } finally {
    await admin.close()
  }
}

test(
  'against Samsa broker, which has no SCRAM APIs yet, both calls are SAMSA_ERR_UNSUPPORTED_VERSION',
  TIMEOUT,
  async () => {
    const broker = await startTestBroker()
    const admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
    try {
      await assert.rejects(
        admin.describeUserScramCredentials(['alice']),
        isCode(SamsaErrorCode.UNSUPPORTED_VERSION, /no version of DescribeUserScramCredentials/),
      )
      await assert.rejects(
        admin.alterUserScramCredentials({
          upsertions: [{ user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'pw' }],
        }),
        isCode(SamsaErrorCode.UNSUPPORTED_VERSION, /no version of AlterUserScramCredentials/),
      )
    } finally {
      await admin.close()
      await broker.stop()
    }
  },
)

test(
  'describeUserScramCredentials names mechanisms; a user without credentials is RESOURCE_NOT_FOUND',
  TIMEOUT,
  async () => {
    const broker = await scramBroker()
    await withAdmin(broker, async (admin) => {
      const alice = {
        user: 'alice',
        credentials: [
          { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
          { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
        ],
      }
      const bob = { user: 'bob', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 16384 }] }
      assert.deepEqual(await admin.describeUserScramCredentials(), [alice, bob])
      assert.deepEqual(await admin.describeUserScramCredentials([]), [alice, bob])
      assert.deepEqual(await admin.describeUserScramCredentials(['alice']), [alice])
      await assert.rejects(
        admin.describeUserScramCredentials(['alice', 'carol']),
        (e: unknown) =>
          isKafkaProtocolError(e) &&
          e.errorName === 'RESOURCE_NOT_FOUND' &&
          /user carol: Attempt to describe/.test(e.message),
      )
      assert.deepEqual(
        broker.seen.get(DescribeUserScramCredentials.key)?.map((r) => r.body),
        [
          { users: null },
          { users: null },
          { users: [{ name: 'alice' }] },
          { users: [{ name: 'alice' }, { name: 'carol' }] },
        ],
      )
    })
  },
)

test(
  'alterUserScramCredentials sends a random salt and PBKDF2 of the password, never the password',
  TIMEOUT,
  async () => {
    const broker = await scramBroker()
    await withAdmin(broker, async (admin) => {
      await admin.alterUserScramCredentials({
        upsertions: [
          { user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'alice-secret' },
          { user: 'bob', mechanism: 'SCRAM-SHA-512', password: 'bøb-sécret', iterations: 8192 },
        ],
        deletions: [{ user: 'carol', mechanism: 'SCRAM-SHA-512' }],
      })
      const [sent] = broker.seen.get(AlterUserScramCredentials.key) ?? []
      const body = sent?.body as AlterUserScramCredentialsRequest
      assert.deepEqual(body.deletions, [{ name: 'carol', mechanism: 2 }])
      assert.deepEqual(
        body.upsertions.map((u) => [u.name, u.mechanism, u.iterations, u.salt.length, u.saltedPassword.length]),
        [
          ['alice', 1, 4096, 32, 32],
          ['bob', 2, 8192, 32, 64],
        ],
      )
      const [alice, bob] = body.upsertions
      assert.deepEqual(
        alice?.saltedPassword,
        pbkdf2Sync('alice-secret', alice?.salt ?? Buffer.alloc(0), 4096, 32, 'sha256'),
      )
      assert.deepEqual(bob?.saltedPassword, pbkdf2Sync('bøb-sécret', bob?.salt ?? Buffer.alloc(0), 8192, 64, 'sha512'))
      assert.notDeepEqual(alice?.salt, bob?.salt)

      // The same password again gets a new salt, so a different salted password.
      await admin.alterUserScramCredentials({
        upsertions: [{ user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'alice-secret' }],
      })
      const again = (broker.seen.get(AlterUserScramCredentials.key)?.[1]?.body as AlterUserScramCredentialsRequest)
        .upsertions[0]
      assert.notDeepEqual(again?.salt, alice?.salt)
      assert.deepEqual(
        again?.saltedPassword,
        pbkdf2Sync('alice-secret', again?.salt ?? Buffer.alloc(0), 4096, 32, 'sha256'),
      )
      const frames = broker.seen.get(AlterUserScramCredentials.key) ?? []
      assert.equal(frames.length, 2)
      for (const f of frames)
        assert.ok(!f.frame.includes('alice-secret') && !f.frame.includes('sécret'), 'no password sent')
    })
  },
)

test('per-user errors of alterUserScramCredentials become KafkaProtocolErrors naming the user', TIMEOUT, async () => {
  const broker = await scramBroker()
  await withAdmin(broker, async (admin) => {
    await assert.rejects(
      admin.alterUserScramCredentials({ deletions: [{ user: 'nobody', mechanism: 'SCRAM-SHA-256' }] }),
      (e: unknown) =>
        isKafkaProtocolError(e) &&
        e.errorCode === ErrorCode.RESOURCE_NOT_FOUND &&
        e.message.endsWith('user nobody: no such credential'),
    )
    await assert.rejects(
      admin.alterUserScramCredentials({
        upsertions: [{ user: 'mallory', mechanism: 'SCRAM-SHA-512', password: 'x' }],
        deletions: [{ user: 'nobody', mechanism: 'SCRAM-SHA-256' }],
      }),
      (e: unknown) => {
        assert.ok(e instanceof AggregateError)
        assert.deepEqual(
          e.errors.map((x: unknown) => isKafkaProtocolError(x) && x.errorName),
          ['RESOURCE_NOT_FOUND', 'SECURITY_DISABLED'],
        )
        return true
      },
    )
  })
})

test('bad SCRAM arguments fail before sending, naming the field; iterations must be 4096..16384', TIMEOUT, async () => {
  const broker = await scramBroker()
  await withAdmin(broker, async (admin) => {
    const invalid = (field: string) =>
      isCode(SamsaErrorCode.INVALID_ARGUMENT, new RegExp(`^${field.replace(/[[\]]/g, '\\$&')} `))
    const upsert = (u: Record<string, unknown>) =>
      admin.alterUserScramCredentials({
        upsertions: [
          { user: 'ok', mechanism: 'SCRAM-SHA-256', password: 'pw' },
          { user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'pw', ...u } as never,
        ],
      })
    await assert.rejects(upsert({ iterations: 4095 }), invalid('upsertions[1].iterations'))
    await assert.rejects(upsert({ iterations: 16385 }), invalid('upsertions[1].iterations'))
    await assert.rejects(upsert({ iterations: 5000.5 }), invalid('upsertions[1].iterations'))
    await assert.rejects(upsert({ mechanism: 'SCRAM-SHA-1' }), invalid('upsertions[1].mechanism'))
    await assert.rejects(upsert({ password: '' }), invalid('upsertions[1].password'))
    await assert.rejects(upsert({ user: '' }), invalid('upsertions[1].user'))
    await assert.rejects(
      admin.alterUserScramCredentials({ deletions: [{ user: 'a', mechanism: 'sha256' as 'SCRAM-SHA-256' }] }),
      invalid('deletions[0].mechanism'),
    )
    await assert.rejects(admin.alterUserScramCredentials({}), invalid('upsertions and deletions'))
    await assert.rejects(admin.describeUserScramCredentials(['alice', '']), invalid('users[1]'))
    assert.equal(broker.seen.size, 0, 'nothing was sent')
    await upsert({ iterations: 16384 })
    assert.equal(
      (broker.seen.get(AlterUserScramCredentials.key)?.[0]?.body as AlterUserScramCredentialsRequest).upsertions[1]
        ?.iterations,
      16384,
    )
  })
})
