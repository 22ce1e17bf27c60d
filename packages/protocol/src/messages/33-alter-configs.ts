// AlterConfigs (33): an admin replaces the whole set of dynamic config overrides of each resource (KIP-133); keys
// left out are reset, which is why IncrementalAlterConfigs (44) superseded it for most uses. v1 only changes
// throttling (the broker answers before throttling, KIP-219); v2 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const AlterConfigs = api({
  key: 33,
  name: 'AlterConfigs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    resources: f.array('0+', {
      resourceType: f.int8('0+', { mapKey: true }),
      resourceName: f.string('0+', { mapKey: true }),
      configs: f.array('0+', {
        name: f.string('0+', { mapKey: true }),
        value: f.string('0+', { nullableVersions: '0+' }),
      }),
    }),
    validateOnly: f.bool('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    responses: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
      resourceType: f.int8('0+'),
      resourceName: f.string('0+'),
    }),
  },
})

export type AlterConfigsRequest = RequestOf<typeof AlterConfigs>
export type AlterConfigsResponse = ResponseOf<typeof AlterConfigs>
