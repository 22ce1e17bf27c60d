// DescribeAcls (29): an admin lists the ACL bindings that match a filter (KIP-140); null filter strings match
// anything. v0 is a pre-KIP-896 version Kafka 4 removed, kept for old clients; it knows only literal resource names.
// v1 adds the resource pattern type, so prefixed ACLs can be described (KIP-290); v2 is the first flexible version
// (KIP-482); v3 accepts the USER resource type (KIP-373, delegation tokens owned by other users).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeAcls = api({
  key: 29,
  name: 'DescribeAcls',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: {
    resourceTypeFilter: f.int8('0+'),
    resourceNameFilter: f.string('0+', { nullableVersions: '0+' }),
    // 3 = LITERAL, the only kind of pattern before v1.
    patternTypeFilter: f.int8('1+', { default: 3 }),
    principalFilter: f.string('0+', { nullableVersions: '0+' }),
    hostFilter: f.string('0+', { nullableVersions: '0+' }),
    operation: f.int8('0+'),
    permissionType: f.int8('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+' }),
    resources: f.array('0+', {
      resourceType: f.int8('0+'),
      resourceName: f.string('0+'),
      patternType: f.int8('1+', { default: 3 }),
      acls: f.array('0+', {
        principal: f.string('0+'),
        host: f.string('0+'),
        operation: f.int8('0+'),
        permissionType: f.int8('0+'),
      }),
    }),
  },
})

export type DescribeAclsRequest = RequestOf<typeof DescribeAcls>
export type DescribeAclsResponse = ResponseOf<typeof DescribeAcls>
