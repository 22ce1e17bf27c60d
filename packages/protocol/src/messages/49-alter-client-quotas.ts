// AlterClientQuotas (49): an admin sets or removes client quota values (float64 on the wire) for entities such as
// users, client ids and IPs, or for their defaults (KIP-546). v1 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

const entityFields = {
  entityType: f.string('0+'),
  // Null names the default entity of the type.
  entityName: f.string('0+', { nullableVersions: '0+' }),
}

export const AlterClientQuotas = api({
  key: 49,
  name: 'AlterClientQuotas',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: {
    entries: f.array('0+', {
      entity: f.array('0+', entityFields),
      ops: f.array('0+', {
        key: f.string('0+'),
        value: f.float64('0+'),
        // When set, the quota is deleted and `value` is ignored.
        remove: f.bool('0+'),
      }),
    }),
    validateOnly: f.bool('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    entries: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
      entity: f.array('0+', entityFields),
    }),
  },
})

export type AlterClientQuotasRequest = RequestOf<typeof AlterClientQuotas>
export type AlterClientQuotasResponse = ResponseOf<typeof AlterClientQuotas>
