// ApiVersions (18): the first request on a connection; tells the client which versions of each API the broker
// speaks. v3 (KIP-511) adds the client's software name/version and is the first flexible version; its tagged
// fields carry feature flags (KIP-584). The response header is always v0 (see headers.ts), and a broker that
// does not know the request version answers with a v0 body carrying UNSUPPORTED_VERSION and its own ranges.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const ApiVersions = api({
  key: 18,
  name: 'ApiVersions',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    clientSoftwareName: f.string('3+', { ignorable: true }),
    clientSoftwareVersion: f.string('3+', { ignorable: true }),
  },
  response: {
    errorCode: f.int16('0+'),
    apiKeys: f.array('0+', {
      apiKey: f.int16('0+', { mapKey: true }),
      minVersion: f.int16('0+'),
      maxVersion: f.int16('0+'),
    }),
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    supportedFeatures: f.array(
      '3+',
      {
        name: f.string('3+', { mapKey: true }),
        minVersion: f.int16('3+'),
        maxVersion: f.int16('3+'),
      },
      { ignorable: true, tag: 0, taggedVersions: '3+' },
    ),
    finalizedFeaturesEpoch: f.int64('3+', { tag: 1, taggedVersions: '3+', default: -1n, ignorable: true }),
    finalizedFeatures: f.array(
      '3+',
      {
        name: f.string('3+', { mapKey: true }),
        maxVersionLevel: f.int16('3+'),
        minVersionLevel: f.int16('3+'),
      },
      { ignorable: true, tag: 2, taggedVersions: '3+' },
    ),
    zkMigrationReady: f.bool('3+', { tag: 3, taggedVersions: '3+', default: false, ignorable: true }),
  },
})

export type ApiVersionsRequest = RequestOf<typeof ApiVersions>
export type ApiVersionsResponse = ResponseOf<typeof ApiVersions>
