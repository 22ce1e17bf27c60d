// SASL over the wire against a scripted broker: PLAIN, SCRAM-SHA-256/512 (the broker side here checks the proof
// the RFC 5802 way, from a stored key it derived itself), OAUTHBEARER, a custom mechanism, a mechanism the broker
// does not enable, a refused password, re-authentication when the session lifetime runs out (KIP-368), and the
// Java properties a client.properties file would carry.

import assert from 'node:assert/strict'
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { ErrorCode, Metadata, SaslAuthenticate, SaslHandshake } from '@samsa/protocol'
import { createAdmin } from '../admin/admin.ts'
import { handle, startScriptedBroker } from '../admin/scripted-admin-testing.ts'
import { BrokerConnection } from '../cluster/broker-connection.ts'
import { isSamsaError } from '../errors.ts'
import type { SaslOptions } from './sasl.ts'
import { saltedPassword, type ScramMechanism } from './scram.ts'

/** What the scripted broker checks a client's tokens with: one step per SaslAuthenticate, answering bytes. */
type Verifier = (token: Buffer) => Buffer

interface SaslBroker {
  port: number
  /** Every SaslHandshake mechanism and SaslAuthenticate token, in order. */
  seen: string[]
  handshakes: number
}

/**
 * A scripted broker (ApiVersions, Metadata) that authenticates with `newVerifier()`: a fresh one per SaslHandshake,
 * since connections here authenticate one after another, so one current exchange is enough.
 */
async function saslBroker(enabled: string[], newVerifier: () => Verifier, sessionLifetimeMs = 0n): Promise<SaslBroker> {
  const state: SaslBroker = { port: 0, seen: [], handshakes: 0 }
  let verifier: Verifier = () => {
    throw new Error('no handshake yet')
  }
  const broker = await startScriptedBroker([
    handle(SaslHandshake, ({ mechanism }) => {
      state.handshakes++
      state.seen.push(`handshake ${mechanism}`)
      verifier = newVerifier()
      const errorCode = enabled.includes(mechanism) ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM
      return SaslHandshake.response.make({ errorCode, mechanisms: enabled })
    }),
    handle(SaslAuthenticate, ({ authBytes }) => {
      state.seen.push(`token ${authBytes.toString('latin1')}`)
      try {
        return SaslAuthenticate.response.make({ authBytes: verifier(authBytes), sessionLifetimeMs })
      } catch (error) {
        return SaslAuthenticate.response.make({
          errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
          errorMessage: (error as Error).message,
          authBytes: Buffer.alloc(0),
        })
      }
    }),
  ])
  state.port = Number(broker.bootstrapServers.split(':')[1])
  return state
}

/** PLAIN's broker side: one token, \0user\0password. */
const plainVerifier = (user: string, password: string) => (): Verifier => (token) => {
  if (token.toString('utf8') !== `\0${user}\0${password}`) throw new Error('Invalid username or password')
  return Buffer.alloc(0)
}

/** SCRAM's broker side (RFC 5802 §3), holding only the stored and server keys, as Kafka's credential store does. */
async function scramVerifier(mechanism: ScramMechanism, user: string, password: string): Promise<() => Verifier> {
  const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512'
  const hmac = (key: Buffer, text: string) => createHmac(hash, key).update(text).digest()
  const salt = randomBytes(16)
  const salted = await saltedPassword(mechanism, password, salt, 4096)
  const storedKey = createHash(hash).update(hmac(salted, 'Client Key')).digest()
  const serverKey = hmac(salted, 'Server Key')
  return () => {
    let clientFirstBare = ''
    let serverFirst = ''
    return (token) => {
      const text = token.toString('utf8')
      if (serverFirst === '') {
        assert.ok(text.startsWith('n,,'), 'gs2 header without channel binding')
        clientFirstBare = text.slice(3)
        const fields = new Map(clientFirstBare.split(',').map((f) => [f[0], f.slice(2)]))
        if (fields.get('n') !== user) throw new Error(`unknown user ${fields.get('n')}`)
        serverFirst = `r=${fields.get('r')}server-part,s=${salt.toString('base64')},i=4096`
        return Buffer.from(serverFirst)
      }
      const withoutProof = text.slice(0, text.lastIndexOf(',p='))
      const proof = Buffer.from(text.slice(text.lastIndexOf(',p=') + 3), 'base64')
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`
      const signature = hmac(storedKey, authMessage)
      const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] as number)))
      if (!createHash(hash).update(clientKey).digest().equals(storedKey)) throw new Error('Authentication failed')
      return Buffer.from(`v=${hmac(serverKey, authMessage).toString('base64')}`)
    }
  }
}

function connectionTo(port: number, sasl: SaslOptions): BrokerConnection {
  return new BrokerConnection({
    nodeId: 1,
    host: '127.0.0.1',
    port,
    clientId: 'sasl-test',
    requestTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    maxInFlightRequestsPerConnection: 5,
    maxResponseBytes: 1 << 20,
    tls: null,
    sasl,
  })
}

const isAuthenticationError = (pattern: RegExp) => (e: unknown) =>
  isSamsaError(e) && e.code === 'SAMSA_ERR_AUTHENTICATION' && !e.retriable && pattern.test(e.message)

test(
  'PLAIN sends \\0user\\0password once; a refused password is a non-retriable error',
  { timeout: 10_000 },
  async () => {
    const broker = await saslBroker(['PLAIN'], plainVerifier('alice', 'alice-secret'))
    const good = connectionTo(broker.port, { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' })
    assert.equal(await good.supports(Metadata), true)
    assert.deepEqual(broker.seen, ['handshake PLAIN', 'token \0alice\0alice-secret'])
    await good.close()
    const bad = connectionTo(broker.port, { mechanism: 'PLAIN', username: 'alice', password: 'wrong' })
    await assert.rejects(bad.supports(Metadata), isAuthenticationError(/Invalid username or password/))
    await bad.close()
  },
)

for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
  test(
    `${mechanism}: the broker accepts the proof and the client accepts the broker's signature`,
    { timeout: 10_000 },
    async () => {
      const broker = await saslBroker([mechanism], await scramVerifier(mechanism, 'bob', 'bob-secret'))
      const good = connectionTo(broker.port, { mechanism, username: 'bob', password: 'bob-secret' })
      assert.equal(await good.supports(Metadata), true)
      assert.equal(broker.seen.length, 3, 'handshake, client-first, client-final')
      assert.match(broker.seen[2] as string, /^token c=biws,r=.+server-part,p=/)
      await good.close()
      const bad = connectionTo(broker.port, { mechanism, username: 'bob', password: 'not-bob' })
      await assert.rejects(bad.supports(Metadata), isAuthenticationError(/Authentication failed/))
      await bad.close()
    },
  )
}

test('a mechanism the broker does not enable is named with the ones it does', { timeout: 10_000 }, async () => {
  const broker = await saslBroker(['PLAIN', 'OAUTHBEARER'], plainVerifier('a', 'b'))
  const client = connectionTo(broker.port, { mechanism: 'SCRAM-SHA-512', username: 'a', password: 'b' })
  await assert.rejects(client.supports(Metadata), isAuthenticationError(/SCRAM-SHA-512 .*enabled: PLAIN, OAUTHBEARER/))
  await client.close()
})

test("OAUTHBEARER sends the provider's token and extensions (RFC 7628, KIP-342)", { timeout: 10_000 }, async () => {
  const broker = await saslBroker(['OAUTHBEARER'], () => () => Buffer.alloc(0))
  const client = connectionTo(broker.port, {
    mechanism: 'OAUTHBEARER',
    oauthBearerProvider: () => ({ value: 'eyJ.token.sig', extensions: { logicalCluster: 'lkc-1' } }),
  })
  assert.equal(await client.supports(Metadata), true)
  assert.deepEqual(broker.seen, [
    'handshake OAUTHBEARER',
    'token n,,\x01auth=Bearer eyJ.token.sig\x01logicalCluster=lkc-1\x01\x01',
  ])
  await client.close()
})

test('a custom mechanism drives the exchange itself', { timeout: 10_000 }, async () => {
  const broker = await saslBroker(['EXAMPLE'], () => (token) => Buffer.from(`echo:${token.toString()}`))
  const answers: string[] = []
  const client = connectionTo(broker.port, {
    mechanism: 'EXAMPLE',
    authenticate: async ({ exchange, host }) => {
      answers.push((await exchange(Buffer.from(`hello from ${host}`))).toString())
    },
  })
  assert.equal(await client.supports(Metadata), true)
  assert.deepEqual(answers, ['echo:hello from 127.0.0.1'])
  await client.close()
})

test(
  'a session lifetime (KIP-368) makes the next request use a freshly authenticated connection',
  { timeout: 10_000 },
  async () => {
    const broker = await saslBroker(['PLAIN'], plainVerifier('alice', 's'), 1n)
    const client = connectionTo(broker.port, { mechanism: 'PLAIN', username: 'alice', password: 's' })
    await client.supports(Metadata)
    while (broker.handshakes < 2) {
      // 85% of a 1 ms lifetime has passed by the time the next request goes out.
      await new Promise((resolve) => setTimeout(resolve, 2))
      await client.request(Metadata, () => Metadata.request.make({ topics: [] }))
    }
    assert.equal(broker.handshakes, 2)
    await client.close()
  },
)

test(
  'a client.properties with security.protocol, sasl.mechanism and sasl.jaas.config authenticates',
  { timeout: 10_000 },
  async () => {
    const broker = await saslBroker(['SCRAM-SHA-256'], await scramVerifier('SCRAM-SHA-256', 'carol', 'c"arol'))
    const admin = createAdmin({
      'bootstrap.servers': `127.0.0.1:${broker.port}`,
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="c\\"arol";',
    })
    try {
      assert.deepEqual(await admin.listTopics(), [])
      assert.ok(broker.handshakes >= 1)
    } finally {
      await admin.close()
    }
  },
)
