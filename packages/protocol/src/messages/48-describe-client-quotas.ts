// DescribeClientQuotas (48): an admin reads the client quotas (byte rates, request percentage, ...) configured for
// entities such as users, client ids and IPs, selecting them by exact name, default entity or any name per entity
// type (KIP-546). Quota values are float64 on the wire. v1 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeClientQuotas = api({
  key: 48,
  name: 'DescribeClientQuotas',
  validVersions: '0-1',
  flexibleVersions: '1+',
  request: {
    components: f.array('0+', {
      entityType: f.string('0+'),
      // 0 = exact name in `match`, 1 = the default entity, 2 = any entity of this type.
      matchType: f.int8('0+'),
      match: f.string('0+', { nullableVersions: '0+' }),
    }),
    // When set, only entities whose type set equals the component types match.
    strict: f.bool('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+' }),
    entries: f.array(
      '0+',
      {
        entity: f.array('0+', {
          entityType: f.string('0+'),
          // Null names the default entity of the type.
          entityName: f.string('0+', { nullableVersions: '0+' }),
        }),
        values: f.array('0+', {
          key: f.string('0+'),
          value: f.float64('0+'),
        }),
      },
      { nullableVersions: '0+' },
    ),
  },
})

export type DescribeClientQuotasRequest = RequestOf<typeof DescribeClientQuotas>
export type DescribeClientQuotasResponse = ResponseOf<typeof DescribeClientQuotas>
