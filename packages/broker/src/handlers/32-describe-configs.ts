// DescribeConfigs (32): v1-4.
// Behaviour: topic (2) and broker (4) resources; a null key list returns every config, unknown keys are left out.
// Each config carries its effective value, source (topic override, dynamic per-broker, dynamic cluster default,
// static, default), read-only flag (broker configs that cannot change at run time), sensitivity, synonyms when
// includeSynonyms (v1+: the whole resolution chain, KIP-226), type (v3+) and documentation when
// includeDocumentation (v3+, KIP-569). Broker resources accept this broker's id or "" (cluster defaults);
// other names and resource types answer INVALID_REQUEST, unknown topics UNKNOWN_TOPIC_OR_PARTITION.
// Not implemented: BROKER_LOGGER, CLIENT_METRICS and GROUP resources, authorization.

import { DescribeConfigs, type DescribeConfigsResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

type ConfigEntry = DescribeConfigsResponse['results'][number]['configs'][number]

export const describeConfigsHandler = defineHandler(
  DescribeConfigs,
  { minVersion: 1, maxVersion: 4 },
  {
    handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        results: req.resources.map((resource) => {
          const result = ctx.broker.configs.describe(resource, resource.configurationKeys)
          return {
            errorCode: result.errorCode,
            errorMessage: result.errorMessage,
            resourceType: resource.resourceType,
            resourceName: resource.resourceName,
            configs: result.configs.map((c): ConfigEntry => ({
              name: c.name,
              value: c.value,
              readOnly: c.readOnly,
              configSource: c.source,
              // v0 only (not served): v1+ carries configSource instead.
              isDefault: false,
              isSensitive: c.isSensitive,
              synonyms: req.includeSynonyms
                ? c.synonyms.map((s) => ({ name: s.name, value: c.isSensitive ? null : s.value, source: s.source }))
                : [],
              configType: c.configType,
              documentation: req.includeDocumentation ? c.documentation : null,
            })),
          }
        }),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      results: req.resources.map((r) => ({
        errorCode,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      })),
    }),
  },
)
