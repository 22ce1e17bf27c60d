// coordinator/group: the group coordinator (classic groups, KIP-848 consumer groups and committed offsets on
// __consumer_offsets). Handlers use GroupCoordinator and these types only.

export { GroupCoordinator, type OffsetCommitInput, type OffsetFetchGroup } from './group-coordinator.ts'
export type { OffsetToCommit, PartitionOffset } from './offsets.ts'
export type { GroupListing } from './types.ts'
export { GROUP_METADATA_TOPIC } from './create-group-coordinator.ts'
