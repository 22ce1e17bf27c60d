// CreateAcls (30): an admin adds ACL bindings, each answered by its own result in request order (KIP-140). v0 is a
// pre-KIP-896 version Kafka 4 removed, kept for old clients; it creates only literal-name bindings. v1 adds the
// resource pattern type for prefixed ACLs (KIP-290); v2 is the first flexible version (KIP-482); v3 accepts the USER
// resource type (KIP-373).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const CreateAcls = api({
  key: 30,
  name: 'CreateAcls',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: {
    creations: f.array('0+', {
      resourceType: f.int8('0+'),
      resourceName: f.string('0+'),
      // 3 = LITERAL, what every v0 binding implicitly is.
      resourcePatternType: f.int8('1+', { default: 3 }),
      principal: f.string('0+'),
      host: f.string('0+'),
      operation: f.int8('0+'),
      permissionType: f.int8('0+'),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    results: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
    }),
  },
})

export type CreateAclsRequest = RequestOf<typeof CreateAcls>
export type CreateAclsResponse = ResponseOf<typeof CreateAcls>
