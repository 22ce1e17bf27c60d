// Fetch and ListOffsets isolation levels on the wire (KIP-98). @samsa/protocol has no constant for them yet.

import type { IsolationLevelName } from './options.ts'

export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel]

export function isolationLevelCode(name: IsolationLevelName | undefined): IsolationLevel {
  return name === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED
}
