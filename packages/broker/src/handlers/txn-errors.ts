// KIP-588 added PRODUCER_FENCED to the transactional APIs in a new version of each; clients that ask with an
// older version only know INVALID_PRODUCER_EPOCH for the same condition, as Kafka answers them.

import { ErrorCode } from '@samsa/protocol'

/** The first version of each API that may carry PRODUCER_FENCED. */
export const PRODUCER_FENCED_SINCE = {
  InitProducerId: 4,
  AddPartitionsToTxn: 2,
  AddOffsetsToTxn: 2,
  EndTxn: 2,
} as const

export function forVersion(errorCode: number, apiVersion: number, fencedSince: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < fencedSince
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode
}
