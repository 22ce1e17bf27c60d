// max.connections.per.ip.overrides: parsed here, for the config validator and for server/connection-limits.ts.

import { isIP } from 'node:net'

/**
 * Parses max.connections.per.ip.overrides ("address:limit,address:limit"); returns an error message (for the
 * config validator) or the map. IPv6 addresses are written as Kafka takes them: the limit after the last colon.
 */
export function parsePerIpOverrides(value: string | null): Map<string, number> | string {
  const overrides = new Map<string, number>()
  for (const entry of (value ?? '').split(',')) {
    const trimmed = entry.trim()
    if (trimmed === '') continue
    const colon = trimmed.lastIndexOf(':')
    const limit = colon > 0 ? Number(trimmed.slice(colon + 1).trim()) : NaN
    if (!Number.isInteger(limit) || limit < 0) return `'${trimmed}' is not address:limit with a limit of 0 or more`
    const address = normalizeAddress(trimmed.slice(0, colon).trim())
    if (isIP(address) === 0) {
      return `'${address}' is not an IP address (Samsa matches client addresses, and does not resolve host names)`
    }
    overrides.set(address, limit)
  }
  return overrides
}

/** Config validator for max.connections.per.ip.overrides. */
export function validatePerIpOverrides(value: string): string | null {
  const parsed = parsePerIpOverrides(value)
  return typeof parsed === 'string' ? parsed : null
}

/** An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d; limits are kept per a.b.c.d. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}
