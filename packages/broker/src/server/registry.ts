// Every implemented handler, by API key. ApiVersions answers from this list, so an API is advertised exactly when
// a handler for it exists, with the versions the handler declares (PROTOCOL.md §1.4).

import type { ApiSchema } from '@samsa/protocol'
import type { AnyHandler } from './handler.ts'

export class HandlerRegistry {
  readonly #byKey = new Map<number, AnyHandler>()

  constructor(handlers: readonly AnyHandler[]) {
    for (const handler of handlers) {
      if (this.#byKey.has(handler.api.key)) throw new Error(`two handlers for API key ${handler.api.key}`)
      this.#byKey.set(handler.api.key, handler)
    }
  }

  get(apiKey: number): AnyHandler | undefined {
    return this.#byKey.get(apiKey)
  }

  /** The schema of an implemented API (for reading request headers). */
  schema(apiKey: number): ApiSchema | undefined {
    return this.#byKey.get(apiKey)?.api
  }

  /** The ApiVersions entries, ordered by key. */
  apiVersions(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.#byKey.values()]
      .map((h) => ({ apiKey: h.api.key, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey)
  }

  handlers(): AnyHandler[] {
    return [...this.#byKey.values()].sort((a, b) => a.api.key - b.api.key)
  }
}
