// DescribeConfigs (32): an admin reads the configuration of topics, brokers, broker loggers and other resources
// (KIP-133); a null key list asks for every key. v0 is a pre-KIP-896 version Kafka 4 removed, kept for old clients;
// it says only whether a value is the default. v1 replaces that flag with the value's source and can list the
// synonyms a value was resolved from (KIP-226); v2 only changes throttling (the broker answers before throttling,
// KIP-219); v3 can return each config's type and documentation (KIP-569); v4 is the first flexible version
// (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeConfigs = api({
  key: 32,
  name: 'DescribeConfigs',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    resources: f.array('0+', {
      resourceType: f.int8('0+'),
      resourceName: f.string('0+'),
      configurationKeys: f.array('0+', 'string', { nullableVersions: '0+' }),
    }),
    includeSynonyms: f.bool('1+'),
    includeDocumentation: f.bool('3+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    results: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+' }),
      resourceType: f.int8('0+'),
      resourceName: f.string('0+'),
      configs: f.array('0+', {
        name: f.string('0+'),
        value: f.string('0+', { nullableVersions: '0+' }),
        readOnly: f.bool('0+'),
        // configSource (v1+) and isDefault (v0 only) never coexist, so their relative order does not reach the
        // wire; Kafka 4.3 lists configSource first, the pre-KIP-896 spec isDefault first.
        configSource: f.int8('1+', { default: -1, ignorable: true }),
        isDefault: f.bool('0'),
        isSensitive: f.bool('0+'),
        synonyms: f.array(
          '1+',
          {
            name: f.string('1+'),
            value: f.string('1+', { nullableVersions: '0+' }),
            source: f.int8('1+'),
          },
          { ignorable: true },
        ),
        configType: f.int8('3+', { ignorable: true }),
        documentation: f.string('3+', { nullableVersions: '0+', ignorable: true }),
      }),
    }),
  },
})

export type DescribeConfigsRequest = RequestOf<typeof DescribeConfigs>
export type DescribeConfigsResponse = ResponseOf<typeof DescribeConfigs>
