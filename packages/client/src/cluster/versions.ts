// Version negotiation: per API, the highest version both the broker (its ApiVersions answer) and this client
// support. What the client supports is the schema's validVersions, narrowed where the client does not yet speak a
// version's semantics (the caps below, each with its reason), so new schema versions are not used by accident.

import {
  AddPartitionsToTxn,
  ApiVersions,
  EndTxn,
  Fetch,
  InitProducerId,
  ListOffsets,
  OffsetCommit,
  OffsetFetch,
  Produce,
  TxnOffsetCommit,
  type ApiSchema,
  type ApiVersionsResponse,
} from '@samsa/protocol'

interface ClientRange {
  min?: number
  max?: number
}

/** Where the client deliberately uses less than the schema allows. */
const CLIENT_RANGES = new Map<number, ClientRange>([
  // v0-2 carry the old message formats; v12 needs KIP-890 transaction semantics, v13 addresses topics by id.
  [Produce.key, { min: 3, max: 11 }],
  // v4 is the first with isolationLevel and the v2 record format; v13+ addresses topics by id (KIP-516).
  [Fetch.key, { min: 4, max: 12 }],
  // v0 returns a list of old-style offsets instead of one offset.
  [ListOffsets.key, { min: 1 }],
  // v10 addresses topics by id (KIP-848 follow-up); v1 is the first with a generation and member id.
  [OffsetCommit.key, { min: 2, max: 9 }],
  [OffsetFetch.key, { min: 1, max: 9 }],
  // v6 is KIP-939's two-phase commit.
  [InitProducerId.key, { max: 5 }],
  // v4+ is the broker-to-broker shape (KIP-890 part 1); clients send v0-3.
  [AddPartitionsToTxn.key, { max: 3 }],
  // v5 of both belongs to transactions v2 (KIP-890 part 2: an epoch bump per transaction, implicit enlisting),
  // which this client does not speak yet; brokers use it only when transaction.version >= 2 anyway.
  [EndTxn.key, { max: 4 }],
  [TxnOffsetCommit.key, { max: 4 }],
])

export interface VersionRange {
  min: number
  max: number
}

/** The broker's advertised ranges by API key. */
export type BrokerVersions = ReadonlyMap<number, VersionRange>

export function brokerVersionsFrom(response: ApiVersionsResponse): Map<number, VersionRange> {
  return new Map(response.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]))
}

/** The versions of `api` this client can send. */
export function clientRange(api: ApiSchema): VersionRange {
  const narrowed = CLIENT_RANGES.get(api.key) ?? {}
  return {
    min: Math.max(api.validVersions.min, narrowed.min ?? 0),
    max: Math.min(api.validVersions.max, narrowed.max ?? Number.MAX_SAFE_INTEGER),
  }
}

/** The highest common version, or null when there is none (or the broker does not know the API). */
export function negotiateVersion(api: ApiSchema, broker: BrokerVersions): number | null {
  const theirs = broker.get(api.key)
  if (theirs === undefined) return null
  const ours = clientRange(api)
  const max = Math.min(ours.max, theirs.max)
  return max >= Math.max(ours.min, theirs.min) ? max : null
}

/** The ApiVersions version to try first: the newest this client knows. */
export const API_VERSIONS_FIRST_TRY = Math.min(ApiVersions.validVersions.max, 4)
