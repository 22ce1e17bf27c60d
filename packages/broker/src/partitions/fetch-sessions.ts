// Incremental fetch sessions (KIP-227). A consumer that fetches many partitions sends the full list once
// (sessionEpoch 0), gets a session id, and afterwards sends only the partitions whose fetch position changed
// (sessionEpoch 1, 2, …) plus those it wants to drop (forgottenTopicsData). The broker keeps the rest and answers
// only for partitions that have something new: records, an error, or a moved high watermark, log start offset or
// last stable offset. Partitions that returned data move to the end of the session so that one busy partition
// cannot starve the others under maxBytes.
//
// sessionId 0 with epoch -1 is a plain sessionless full fetch; epoch -1 with an id closes that session. Topic-id
// fetches (v13+) key partitions by topic id; a session cannot switch between names and ids
// (FETCH_SESSION_TOPIC_ID_ERROR). When the cache is full the least recently used session is evicted; Kafka's
// eviction also weighs session size and privileged (follower) sessions, which do not exist here yet.

import { randomInt } from 'node:crypto'
import { ErrorCode } from '@samsa/protocol'

export const INVALID_SESSION_ID = 0
export const INITIAL_EPOCH = 0
export const FINAL_EPOCH = -1

export interface FetchPartitionSpec {
  /** Name for v≤12 fetches; resolved from the id for v13+ (null when the id is unknown). */
  topic: string | null
  /** The topic id (v13+), or the topic's current id for name-based fetches ('' when unknown). */
  topicId: string
  partition: number
  fetchOffset: bigint
  partitionMaxBytes: number
  currentLeaderEpoch: number
}

/** What a response reported for a partition last time, to decide whether it changed. */
interface CachedPartition extends FetchPartitionSpec {
  highWatermark: bigint
  logStartOffset: bigint
  lastStableOffset: bigint
}

export interface FetchSession {
  readonly id: number
  epoch: number
  readonly usesTopicIds: boolean
  readonly partitions: Map<string, CachedPartition>
  lastUsedMs: number
}

export type SessionContext =
  | { errorCode: number }
  | {
      errorCode: 0
      /** The session id to put in the response (0 when no session exists after this request). */
      sessionId: number
      /** Partitions to read, in order. */
      partitions: FetchPartitionSpec[]
      /** Set for incremental fetches: only changed partitions go into the response. */
      incremental: FetchSession | null
      /** Set when a new session was created: its cached state is filled from the response. */
      created: FetchSession | null
    }

export interface PartitionOutcome {
  errorCode: number
  highWatermark: bigint
  logStartOffset: bigint
  lastStableOffset: bigint
  byteLength: number
}

export function partitionKey(
  usesTopicIds: boolean,
  spec: { topic: string | null; topicId: string; partition: number },
): string {
  return `${usesTopicIds ? spec.topicId : spec.topic}:${spec.partition}`
}

export class FetchSessionCache {
  readonly #maxSessions: number
  readonly #sessions = new Map<number, FetchSession>()

  constructor(maxSessions: number) {
    this.#maxSessions = maxSessions
  }

  get size(): number {
    return this.#sessions.size
  }

  /** Works out which partitions a Fetch reads and how its response is shaped. */
  open(
    request: {
      sessionId: number
      sessionEpoch: number
      usesTopicIds: boolean
      partitions: readonly FetchPartitionSpec[]
      forgotten: readonly { topic: string | null; topicId: string; partition: number }[]
    },
    nowMs: number,
  ): SessionContext {
    const { sessionId, sessionEpoch, usesTopicIds } = request
    if (sessionEpoch === FINAL_EPOCH) {
      if (sessionId !== INVALID_SESSION_ID) this.#sessions.delete(sessionId)
      return full(request.partitions)
    }
    if (sessionEpoch === INITIAL_EPOCH) {
      if (sessionId !== INVALID_SESSION_ID) this.#sessions.delete(sessionId)
      const created = this.#create(usesTopicIds, request.partitions, nowMs)
      return { ...full(request.partitions), sessionId: created?.id ?? INVALID_SESSION_ID, created }
    }
    const session = this.#sessions.get(sessionId)
    if (session === undefined) return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND }
    if (session.epoch !== sessionEpoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH }
    if (session.usesTopicIds !== usesTopicIds) return { errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR }
    for (const spec of request.partitions) {
      const key = partitionKey(usesTopicIds, spec)
      const cached = session.partitions.get(key)
      session.partitions.set(key, {
        ...spec,
        highWatermark: cached?.highWatermark ?? -1n,
        logStartOffset: cached?.logStartOffset ?? -1n,
        lastStableOffset: cached?.lastStableOffset ?? -1n,
      })
    }
    for (const forgotten of request.forgotten) session.partitions.delete(partitionKey(usesTopicIds, forgotten))
    session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1
    session.lastUsedMs = nowMs
    // LRU order: the map's insertion order is the use order.
    this.#sessions.delete(session.id)
    this.#sessions.set(session.id, session)
    return {
      errorCode: ErrorCode.NONE,
      sessionId: session.id,
      partitions: [...session.partitions.values()],
      incremental: session,
      created: null,
    }
  }

  /**
   * For an incremental fetch, whether the partition goes into the response; also records what was reported and
   * moves partitions that returned data to the end. For a new session, just records the reported state.
   */
  report(session: FetchSession, spec: FetchPartitionSpec, outcome: PartitionOutcome, incremental: boolean): boolean {
    const key = partitionKey(session.usesTopicIds, spec)
    const cached = session.partitions.get(key)
    if (cached === undefined) return true
    const changed =
      outcome.errorCode !== ErrorCode.NONE ||
      outcome.byteLength > 0 ||
      outcome.highWatermark !== cached.highWatermark ||
      outcome.logStartOffset !== cached.logStartOffset ||
      outcome.lastStableOffset !== cached.lastStableOffset
    cached.highWatermark = outcome.highWatermark
    cached.logStartOffset = outcome.logStartOffset
    cached.lastStableOffset = outcome.lastStableOffset
    if (incremental && outcome.byteLength > 0) {
      session.partitions.delete(key)
      session.partitions.set(key, cached)
    }
    return !incremental || changed
  }

  #create(usesTopicIds: boolean, partitions: readonly FetchPartitionSpec[], nowMs: number): FetchSession | null {
    if (this.#maxSessions <= 0) return null
    if (this.#sessions.size >= this.#maxSessions) {
      const oldest = this.#sessions.keys().next().value
      if (oldest !== undefined) this.#sessions.delete(oldest)
    }
    let id: number
    do id = randomInt(1, 0x7fffffff)
    while (this.#sessions.has(id))
    const session: FetchSession = { id, epoch: 1, usesTopicIds, partitions: new Map(), lastUsedMs: nowMs }
    for (const spec of partitions) {
      session.partitions.set(partitionKey(usesTopicIds, spec), {
        ...spec,
        highWatermark: -1n,
        logStartOffset: -1n,
        lastStableOffset: -1n,
      })
    }
    this.#sessions.set(id, session)
    return session
  }
}

function full(partitions: readonly FetchPartitionSpec[]): SessionContext & { errorCode: 0 } {
  return {
    errorCode: ErrorCode.NONE,
    sessionId: INVALID_SESSION_ID,
    partitions: [...partitions],
    incremental: null,
    created: null,
  }
}
