// DescribeUserScramCredentials (50): an admin lists which SCRAM mechanisms and iteration counts are stored for
// users, all of them when the user list is null (KIP-554); salts and salted passwords are never returned. Only v0
// exists; it is flexible (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeUserScramCredentials = api({
  key: 50,
  name: 'DescribeUserScramCredentials',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    users: f.array(
      '0+',
      {
        name: f.string('0+'),
      },
      { nullableVersions: '0+' },
    ),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+' }),
    results: f.array('0+', {
      user: f.string('0+'),
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
      credentialInfos: f.array('0+', {
        // 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
        mechanism: f.int8('0+'),
        iterations: f.int32('0+'),
      }),
    }),
  },
})

export type DescribeUserScramCredentialsRequest = RequestOf<typeof DescribeUserScramCredentials>
export type DescribeUserScramCredentialsResponse = ResponseOf<typeof DescribeUserScramCredentials>
