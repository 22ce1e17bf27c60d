// Kafka's connection limits (ConnectionQuotas): max.connections for the whole broker, max.connections.per.ip per
// client address, with max.connections.per.ip.overrides naming addresses that get another limit. All three are
// dynamic, so every accepted connection reads the current values.
//
// A connection over a limit is closed at once. Kafka does the same for the per-address limits; for
// max.connections Kafka stops accepting until a connection closes, leaving new ones waiting in the listen
// backlog, which Node's net.Server cannot do.

import type { SessionHandler } from '@samsa/net'
import { normalizeAddress, parsePerIpOverrides } from '../config/per-ip-overrides.ts'

/** The broker's current limits (values read through the config resolver). */
export interface ConnectionLimitConfig {
  maxConnections(): number
  maxConnectionsPerIp(): number
  /** The raw max.connections.per.ip.overrides value ('' or null for none). */
  perIpOverrides(): string | null
}

export class ConnectionLimits {
  readonly #config: ConnectionLimitConfig
  readonly #perAddress = new Map<string, number>()
  #total = 0
  #overridesSource: string | null = null
  #overrides = new Map<string, number>()

  constructor(config: ConnectionLimitConfig) {
    this.#config = config
  }

  get total(): number {
    return this.#total
  }

  /** Counts a new connection from `remoteAddress` and returns true, or returns false if a limit forbids it. */
  admit(remoteAddress: string): boolean {
    const address = normalizeAddress(remoteAddress)
    const fromAddress = this.#perAddress.get(address) ?? 0
    if (this.#total >= this.#config.maxConnections() || fromAddress >= this.#limitFor(address)) return false
    this.#total++
    this.#perAddress.set(address, fromAddress + 1)
    return true
  }

  /** A connection admit() counted has closed. */
  release(remoteAddress: string): void {
    const address = normalizeAddress(remoteAddress)
    const fromAddress = this.#perAddress.get(address) ?? 0
    if (fromAddress <= 1) this.#perAddress.delete(address)
    else this.#perAddress.set(address, fromAddress - 1)
    this.#total--
  }

  /** `handler` with release() added to its onClose, for a connection admit() counted. */
  tracked(remoteAddress: string, handler: SessionHandler): SessionHandler {
    return {
      ...handler,
      onClose: (session, error) => {
        this.release(remoteAddress)
        handler.onClose?.(session, error)
      },
    }
  }

  #limitFor(address: string): number {
    const source = this.#config.perIpOverrides()
    if (source !== this.#overridesSource) {
      const parsed = parsePerIpOverrides(source)
      // Values were validated when set; an unparsable one cannot get here, but would mean no overrides.
      this.#overrides = typeof parsed === 'string' ? new Map<string, number>() : parsed
      this.#overridesSource = source
    }
    return this.#overrides.get(address) ?? this.#config.maxConnectionsPerIp()
  }
}
