// ElectLeaders (43): an admin asks the controller to elect partition leaders; a null partition list means every
// eligible partition. v0 (introduced as ElectPreferredLeaders, KIP-183) can only move leadership back to the
// preferred replica; v1 adds the election type, so unclean elections can be triggered too, and a top-level error
// code (KIP-460); v2 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const ElectLeaders = api({
  key: 43,
  name: 'ElectLeaders',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    // 0 = PREFERRED (what v0 always means), 1 = UNCLEAN.
    electionType: f.int8('1+'),
    topicPartitions: f.array(
      '0+',
      {
        topic: f.string('0+', { entity: 'topicName', mapKey: true }),
        partitions: f.array('0+', 'int32'),
      },
      { nullableVersions: '0+' },
    ),
    timeoutMs: f.int32('0+', { default: 60000 }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('1+'),
    replicaElectionResults: f.array('0+', {
      topic: f.string('0+', { entity: 'topicName' }),
      partitionResult: f.array('0+', {
        partitionId: f.int32('0+'),
        errorCode: f.int16('0+'),
        errorMessage: f.string('0+', { nullableVersions: '0+' }),
      }),
    }),
  },
})

export type ElectLeadersRequest = RequestOf<typeof ElectLeaders>
export type ElectLeadersResponse = ResponseOf<typeof ElectLeaders>
