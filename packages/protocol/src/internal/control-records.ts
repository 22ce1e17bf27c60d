// Payloads of control records: records in a batch whose attributes have the control bit (bit 5) set, which
// carry broker-written markers instead of application data. A control record's key is ControlRecordType (an
// int16 version 0, then the int16 type); its value depends on the type. Both use the int16-version framing of
// framing.ts. The batch-level encoding (attributes, the single-record control batch) lives in records/.
//
// EndTxnMarker is the value of COMMIT and ABORT markers (KIP-98): version 0 and the epoch of the transaction
// coordinator that wrote it, six bytes in all. Readers accept newer versions by reading the fields they know.
// LeaderChangeMessage is the value of LEADER_CHANGE, written by a KRaft leader when it wins an election
// (KIP-595): the leader, the voters and the voters that elected it; v1 adds each voter's directory id (KIP-853).

import { dataSchema, f, type DataOf } from '../schema.ts'

export const ControlRecordType = dataSchema({
  name: 'ControlRecordType',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: {
    /** One of ControlRecordTypes. */
    type: f.int16('0+'),
  },
})
export type ControlRecordTypeData = DataOf<typeof ControlRecordType>

/** Values of ControlRecordType.type. Types 3..6 appear only in KRaft metadata logs and snapshots. */
export const ControlRecordTypes = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6,
} as const
export type ControlRecordTypes = (typeof ControlRecordTypes)[keyof typeof ControlRecordTypes]

export const EndTxnMarker = dataSchema({
  name: 'EndTxnMarker',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: {
    coordinatorEpoch: f.int32('0+'),
  },
})
export type EndTxnMarkerData = DataOf<typeof EndTxnMarker>

const voterFields = {
  voterId: f.int32('0+', { entity: 'brokerId' }),
  voterDirectoryId: f.uuid('1+'),
}

export const LeaderChangeMessage = dataSchema({
  name: 'LeaderChangeMessage',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: {
    version: f.int16('0+'),
    leaderId: f.int32('0+', { entity: 'brokerId' }),
    voters: f.array('0+', voterFields),
    grantingVoters: f.array('0+', voterFields),
  },
})
export type LeaderChangeMessageData = DataOf<typeof LeaderChangeMessage>
