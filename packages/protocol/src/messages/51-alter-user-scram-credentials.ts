// AlterUserScramCredentials (51): an admin deletes or upserts users' SCRAM credentials (KIP-554). The client
// derives the salted password itself, so the plain password never crosses the wire; salt and salted password are
// still secrets and are marked sensitive so request logs redact them. Only v0 exists; it is flexible (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const AlterUserScramCredentials = api({
  key: 51,
  name: 'AlterUserScramCredentials',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    deletions: f.array('0+', {
      name: f.string('0+'),
      // 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
      mechanism: f.int8('0+'),
    }),
    upsertions: f.array('0+', {
      name: f.string('0+'),
      mechanism: f.int8('0+'),
      iterations: f.int32('0+'),
      salt: f.bytes('0+', { sensitive: true }),
      saltedPassword: f.bytes('0+', { sensitive: true }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    results: f.array('0+', {
      user: f.string('0+'),
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
    }),
  },
})

export type AlterUserScramCredentialsRequest = RequestOf<typeof AlterUserScramCredentials>
export type AlterUserScramCredentialsResponse = ResponseOf<typeof AlterUserScramCredentials>
