// listeners / advertised.listeners values: `NAME://host:port`, comma-separated (Kafka's EndPoint format). An empty
// host binds every interface; IPv6 hosts are bracketed (`PLAINTEXT://[::1]:9092`).

import { ConfigError } from './define.ts'

export interface Endpoint {
  /** The listener name, e.g. PLAINTEXT or CLIENT. */
  readonly name: string
  readonly securityProtocol: string
  /** '' binds every interface. */
  readonly host: string
  readonly port: number
}

const ENDPOINT = /^([A-Za-z0-9_]+):\/\/(\[[0-9A-Fa-f:.]+\]|[^:[\]]*):(-?\d+)$/

export function parseSecurityProtocolMap(text: string, key = 'listener.security.protocol.map'): Map<string, string> {
  const map = new Map<string, string>()
  for (const entry of text.split(',').map((s) => s.trim())) {
    if (entry === '') continue
    const [name, protocol, extra] = entry.split(':')
    if (!name || !protocol || extra !== undefined) {
      throw new ConfigError(
        key,
        `Invalid value ${JSON.stringify(text)} for configuration ${key}: ${entry} is not NAME:PROTOCOL`,
      )
    }
    map.set(name.toUpperCase(), protocol.toUpperCase())
  }
  return map
}

export function parseEndpoints(
  key: string,
  values: readonly string[],
  protocols: ReadonlyMap<string, string>,
): Endpoint[] {
  const out: Endpoint[] = []
  for (const value of values) {
    const m = ENDPOINT.exec(value)
    const fail = (why: string) =>
      new ConfigError(key, `Invalid value ${JSON.stringify(values.join(','))} for configuration ${key}: ${why}`)
    if (!m) throw fail(`${value} is not of the form NAME://host:port`)
    const name = (m[1] as string).toUpperCase()
    const rawHost = m[2] as string
    const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost
    const port = Number(m[3])
    if (port < 0 || port > 65535) throw fail(`port ${port} of ${value} is out of range`)
    const securityProtocol = protocols.get(name)
    if (securityProtocol === undefined) {
      throw fail(`listener ${name} has no entry in listener.security.protocol.map`)
    }
    if (out.some((e) => e.name === name)) throw fail(`listener name ${name} appears more than once`)
    out.push({ name, securityProtocol, host, port })
  }
  return out
}

export function formatEndpoint(e: Endpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host
  return `${e.name}://${host}:${e.port}`
}
