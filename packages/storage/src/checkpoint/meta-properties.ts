// meta.properties: what a log directory belongs to. Kafka refuses to start on a directory formatted for another
// cluster or node (InconsistentClusterIdException), and so do we. Format: Java properties, KRaft's version 1
// (version, cluster.id, node.id, directory.id — KIP-858).

import { MalformedCheckpointError } from './checkpoint-file.ts'

export const META_PROPERTIES_FILE = 'meta.properties'

export interface MetaProperties {
  clusterId: string
  nodeId: number
  /** KIP-858: a per-directory Uuid (base64url), so replicas can be tracked by directory. */
  directoryId: string
}

export function formatMetaProperties(meta: MetaProperties, writtenAtMs: number): Buffer {
  // Java's Properties.store writes a comment line and a date line first; tools ignore both.
  const lines = [
    '#',
    `#${new Date(writtenAtMs).toUTCString()}`,
    `cluster.id=${meta.clusterId}`,
    `directory.id=${meta.directoryId}`,
    `node.id=${meta.nodeId}`,
    'version=1',
  ]
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8')
}

/** Throws MalformedCheckpointError. */
export function parseMetaProperties(content: Buffer): MetaProperties {
  const properties = new Map<string, string>()
  for (const line of content.toString('utf8').split('\n')) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue
    const separator = trimmed.search(/[=:]/)
    if (separator < 0) continue
    properties.set(trimmed.slice(0, separator).trim(), trimmed.slice(separator + 1).trim())
  }
  const version = properties.get('version')
  const clusterId = properties.get('cluster.id')
  const nodeId = Number(properties.get('node.id') ?? properties.get('broker.id'))
  if ((version !== '0' && version !== '1') || clusterId === undefined || !Number.isInteger(nodeId)) {
    throw new MalformedCheckpointError(`malformed ${META_PROPERTIES_FILE}: ${JSON.stringify(content.toString())}`)
  }
  return { clusterId, nodeId, directoryId: properties.get('directory.id') ?? '' }
}
