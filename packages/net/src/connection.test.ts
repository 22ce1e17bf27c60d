import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiVersions, decodeRequestHeader, encodeResponseFrame, apiByKey, type ApiSchema } from '@samsa/protocol'
import { Connection, RequestTimeoutError } from './connection.ts'
import { Listener } from './listener.ts'

const lookup = (key: number): ApiSchema | undefined => apiByKey(key)

test('request/response over a real socket, matched by correlation id; timeouts fail one request', async () => {
  const seen: number[] = []
  const listener = await Listener.listen({
    host: '127.0.0.1',
    port: 0,
    maxFrameBytes: 1 << 20,
    onConnection: () => ({
      onFrame(frame) {
        const header = decodeRequestHeader(frame, lookup)
        seen.push(header.requestApiVersion)
        if (header.clientId === 'silent') return new Promise(() => {})
        return encodeResponseFrame(ApiVersions, header.requestApiVersion, header.correlationId, {
          errorCode: 0,
          apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
          zkMigrationReady: false,
        })
      },
    }),
  })
  const conn = await Connection.connect({ host: '127.0.0.1', port: listener.address.port })
  const [a, b] = await Promise.all([
    conn.request(ApiVersions, 3, ApiVersions.request.make({ clientSoftwareName: 'x', clientSoftwareVersion: '1' })),
    conn.request(ApiVersions, 0, ApiVersions.request.make()),
  ])
  assert.deepEqual(a.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }])
  assert.equal(b.errorCode, 0)
  assert.deepEqual(seen, [3, 0])
  await conn.close()

  const silent = await Connection.connect({ host: '127.0.0.1', port: listener.address.port, clientId: 'silent' })
  await assert.rejects(
    silent.request(ApiVersions, 0, ApiVersions.request.make(), { timeoutMs: 1 }),
    RequestTimeoutError,
  )
  silent.destroy()
  await listener.close()
})
