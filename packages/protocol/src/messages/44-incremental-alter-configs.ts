// IncrementalAlterConfigs (44): an admin sets, deletes, appends to or subtracts from individual config keys of each
// resource, leaving the other keys alone (KIP-339), unlike AlterConfigs (33) which replaces the whole set. v1 is the
// first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const IncrementalAlterConfigs = api({
  key: 44,
  name: 'IncrementalAlterConfigs',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: {
    resources: f.array('0+', {
      resourceType: f.int8('0+', { mapKey: true }),
      resourceName: f.string('0+', { mapKey: true }),
      configs: f.array('0+', {
        name: f.string('0+', { mapKey: true }),
        // 0 = SET, 1 = DELETE, 2 = APPEND, 3 = SUBTRACT (the last two for list-valued keys).
        configOperation: f.int8('0+', { mapKey: true }),
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

export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigs>
export type IncrementalAlterConfigsResponse = ResponseOf<typeof IncrementalAlterConfigs>
