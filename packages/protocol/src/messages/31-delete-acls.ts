// DeleteAcls (31): an admin removes every ACL binding matching each of several filters and learns, per filter,
// which bindings went away (KIP-140). v0 is a pre-KIP-896 version Kafka 4 removed, kept for old clients; it matches
// only literal resource names. v1 adds the pattern type to filters and results (KIP-290); v2 is the first flexible
// version (KIP-482); v3 accepts the USER resource type (KIP-373).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DeleteAcls = api({
  key: 31,
  name: 'DeleteAcls',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: {
    filters: f.array('0+', {
      resourceTypeFilter: f.int8('0+'),
      resourceNameFilter: f.string('0+', { nullableVersions: '0+' }),
      // 3 = LITERAL, the only kind of pattern before v1.
      patternTypeFilter: f.int8('1+', { default: 3 }),
      principalFilter: f.string('0+', { nullableVersions: '0+' }),
      hostFilter: f.string('0+', { nullableVersions: '0+' }),
      operation: f.int8('0+'),
      permissionType: f.int8('0+'),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    filterResults: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
      matchingAcls: f.array('0+', {
        errorCode: f.int16('0+'),
        errorMessage: f.string('0+', { nullableVersions: '0+' }),
        resourceType: f.int8('0+'),
        resourceName: f.string('0+'),
        patternType: f.int8('1+', { default: 3 }),
        principal: f.string('0+'),
        host: f.string('0+'),
        operation: f.int8('0+'),
        permissionType: f.int8('0+'),
      }),
    }),
  },
})

export type DeleteAclsRequest = RequestOf<typeof DeleteAcls>
export type DeleteAclsResponse = ResponseOf<typeof DeleteAcls>
