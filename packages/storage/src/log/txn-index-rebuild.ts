// What Kafka's LogLoader.recoverSegment does for the transaction index: a segment that recovery re-read has lost
// its `.txnindex` (LogSegment.recover resets it), and only a replay of the producer state through its markers can
// say which transactions they aborted and what the LSO was then. So the start-up replay begins at a snapshot no
// later than the first recovered segment, and each ABORT completed in a recovered segment is indexed there.

import type { LoadProducerStateOptions } from '../producer-state/producer-state-manager.ts'
import type { LogSegment } from './log-segment.ts'
import { segmentIndexFor } from './segment-search.ts'

/** The replay options that rebuild the recovered segments' transaction indexes; undefined if none was recovered. */
export function txnIndexRebuild(
  segments: readonly LogSegment[],
  recovered: ReadonlySet<LogSegment>,
): Pick<LoadProducerStateOptions, 'replayFromAtMost' | 'onAbortedTxn'> | undefined {
  let first: bigint | null = null
  for (const segment of recovered) if (first === null || segment.baseOffset < first) first = segment.baseOffset
  if (first === null) return undefined
  return {
    replayFromAtMost: first,
    onAbortedTxn: (txn) => {
      const segment = segments[segmentIndexFor(segments, txn.lastOffset)] as LogSegment
      if (recovered.has(segment)) segment.txnIndex.append(txn)
    },
  }
}
