// Test helper (not published: `*-testing.*` is left out of the package): a scripted one-node broker for admin
// calls and SASL exchanges the real broker does not implement yet. It answers ApiVersions (advertising the given
// APIs, with optional caps) and Metadata (itself as node 1, the controller), decodes every other request with
// @samsa/protocol's own request decoder and hands it to the test, which replies with a scripted response.

import type { Server } from 'node:net'
import { after } from 'node:test'
import { ApiVersions, decodeRequestBody, decodeRequestHeader, Metadata, type ApiSchema } from '@samsa/protocol'
import { startFakeBroker, type SeenRequest } from '../testing.ts'

export const SCRIPTED_NODE_ID = 1

/** How the scripted broker answers one API: `respond` gets the decoded request body and returns the response. */
export interface ScriptedHandler {
  api: ApiSchema
  respond(body: unknown, version: number): unknown
}

export function handle<Rq, Rs>(api: ApiSchema<Rq, Rs>, respond: (body: Rq, version: number) => Rs): ScriptedHandler {
  return { api, respond: (body, version) => respond(body as Rq, version) }
}

export interface ScriptedBroker {
  bootstrapServers: string
  /** Every decoded request body per API key, in arrival order (ApiVersions and Metadata left out). */
  seen: Map<number, { version: number; body: unknown; frame: Buffer }[]>
}

const servers: Server[] = []
after(() => {
  for (const s of servers) s.close()
})

/** Starts a scripted broker; `maxVersions` caps what ApiVersions advertises per API key (an older broker). */
export async function startScriptedBroker(
  handlers: readonly ScriptedHandler[],
  maxVersions: Record<number, number> = {},
): Promise<ScriptedBroker> {
  const all: ApiSchema[] = [ApiVersions, Metadata, ...handlers.map((h) => h.api)]
  const seen = new Map<number, { version: number; body: unknown; frame: Buffer }[]>()
  const fake = await startFakeBroker((request: SeenRequest) => {
    const api = all.find((a) => a.key === request.apiKey)
    if (api === undefined) return
    if (api === ApiVersions) {
      request.reply(
        ApiVersions,
        request.version,
        ApiVersions.response.make({
          apiKeys: all.map((a) => ({
            apiKey: a.key,
            minVersion: a.validVersions.min,
            maxVersion: maxVersions[a.key] ?? a.validVersions.max,
          })),
        }),
      )
      return
    }
    if (api === Metadata) {
      request.reply(
        Metadata,
        request.version,
        Metadata.response.make({
          brokers: [{ nodeId: SCRIPTED_NODE_ID, host: '127.0.0.1', port: fake.port }],
          controllerId: SCRIPTED_NODE_ID,
        }),
      )
      return
    }
    const header = decodeRequestHeader(request.frame, (key) => all.find((a) => a.key === key))
    const body = decodeRequestBody(api, request.version, request.frame, header.bodyOffset)
    seen.set(api.key, [
      ...(seen.get(api.key) ?? []),
      { version: request.version, body, frame: Buffer.from(request.frame) },
    ])
    const handler = handlers.find((h) => h.api === api) as ScriptedHandler
    request.reply(api, request.version, handler.respond(body, request.version))
  })
  servers.push(fake.server)
  return { bootstrapServers: `127.0.0.1:${fake.port}`, seen }
}
