// BrokerConnection against a scripted fake broker: the ApiVersions fallback to v0 (KIP-511), negotiation of the
// highest common version, the in-flight limit, and an API the broker does not offer.

import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import { after, test } from 'node:test'
import { ApiVersions, ErrorCode, InitProducerId, Metadata } from '@samsa/protocol'
import { isSamsaError } from '../errors.ts'
import { startFakeBroker, type SeenRequest } from '../testing.ts'
import { BrokerConnection } from './broker-connection.ts'

const servers: Server[] = []
const connections: BrokerConnection[] = []
after(async () => {
  for (const c of connections) await c.close()
  for (const s of servers) s.close()
})

async function fakeBroker(onRequest: (request: SeenRequest) => void): Promise<{ server: Server; port: number }> {
  const broker = await startFakeBroker(onRequest)
  servers.push(broker.server)
  return broker
}

function connectionTo(port: number, maxInFlightRequestsPerConnection = 5): BrokerConnection {
  const connection = new BrokerConnection({
    nodeId: 1,
    host: '127.0.0.1',
    port,
    clientId: 'test',
    tls: null,
    sasl: null,
    requestTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    maxInFlightRequestsPerConnection,
    maxResponseBytes: 1 << 20,
  })
  connections.push(connection)
  return connection
}

/** An old broker: ApiVersions up to v2, Metadata up to v5. */
function oldBroker(seen: SeenRequest[], hold = false) {
  return (request: SeenRequest) => {
    seen.push(request)
    if (request.apiKey === ApiVersions.key) {
      const apiKeys = [
        { apiKey: ApiVersions.key, minVersion: 0, maxVersion: 2 },
        { apiKey: Metadata.key, minVersion: 0, maxVersion: 5 },
      ]
      // Kafka answers an ApiVersions version it does not know in v0, with UNSUPPORTED_VERSION and its ranges.
      const errorCode = request.version > 2 ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.NONE
      request.reply(ApiVersions, 0, ApiVersions.response.make({ errorCode, apiKeys }))
    } else if (!hold) {
      request.reply(Metadata, request.version, Metadata.response.make({ brokers: [{ nodeId: 1, host: 'h', port: 1 }] }))
    }
  }
}

test('ApiVersions falls back to v0, then requests use the highest common version', { timeout: 10_000 }, async () => {
  const seen: SeenRequest[] = []
  const { port } = await fakeBroker(oldBroker(seen))
  const connection = connectionTo(port)
  const { response, version } = await connection.request(Metadata, () => Metadata.request.make({ topics: [] }))
  assert.equal(version, 5)
  assert.equal(response.brokers[0]?.nodeId, 1)
  assert.deepEqual(
    seen.map((r) => [r.apiKey, r.version]),
    [
      [ApiVersions.key, 4],
      [ApiVersions.key, 0],
      [Metadata.key, 5],
    ],
  )
})

test('an API the broker does not offer fails with SAMSA_ERR_UNSUPPORTED_VERSION', { timeout: 10_000 }, async () => {
  const { port } = await fakeBroker(oldBroker([]))
  const connection = connectionTo(port)
  assert.equal(await connection.supports(InitProducerId), false)
  await assert.rejects(
    connection.request(InitProducerId, () => InitProducerId.request.make({})),
    (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_UNSUPPORTED_VERSION' && /InitProducerId/.test(e.message),
  )
})

test(
  'a field the negotiated version cannot carry fails at once, not as a retriable network error',
  { timeout: 10_000 },
  async () => {
    const { port } = await fakeBroker(oldBroker([]))
    const connection = connectionTo(port)
    // Metadata v5 cannot ask for authorized operations (v8+): the encoder refuses the non-default value.
    const request = () => Metadata.request.make({ topics: [], includeTopicAuthorizedOperations: true })
    await assert.rejects(connection.request(Metadata, request), (e) => {
      return (
        isSamsaError(e) && e.code === 'SAMSA_ERR_UNSUPPORTED_VERSION' && !e.retriable && /AuthorizedOp/.test(e.message)
      )
    })
  },
)

test('no more than max.in.flight.requests.per.connection requests are out at once', { timeout: 10_000 }, async () => {
  const seen: SeenRequest[] = []
  let arrived: (() => void) | null = null
  const { port } = await fakeBroker((request) => {
    oldBroker(seen, true)(request)
    if (request.apiKey === Metadata.key) arrived?.()
  })
  const connection = connectionTo(port, 2)
  const twoArrived = new Promise<void>((resolve) => {
    arrived = () => {
      if (seen.filter((r) => r.apiKey === Metadata.key).length === 2) resolve()
    }
  })
  const requests = Array.from({ length: 5 }, () =>
    connection.request(Metadata, () => Metadata.request.make({ topics: [] })),
  )
  await twoArrived
  assert.equal(connection.inFlight, 2)
  // Answer whatever is outstanding until all five are through; never more than two are outstanding.
  let answered = 0
  while (answered < 5) {
    const pending = seen.filter((r) => r.apiKey === Metadata.key).slice(answered)
    assert.ok(pending.length <= 2)
    if (pending.length === 0) {
      await new Promise<void>((resolve) => (arrived = resolve))
      continue
    }
    for (const r of pending) r.reply(Metadata, r.version, Metadata.response.make({}))
    answered += pending.length
    await requests[answered - 1]
  }
  assert.equal((await Promise.all(requests)).length, 5)
})
