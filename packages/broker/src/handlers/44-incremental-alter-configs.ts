// IncrementalAlterConfigs (44): v0-1.
// Behaviour: per resource, applies SET / DELETE / APPEND / SUBTRACT to single keys and leaves the others alone
// (KIP-339); APPEND and SUBTRACT work on list-typed keys only (INVALID_CONFIG otherwise), a key listed twice is
// INVALID_REQUEST. Same resources, validation and error codes as AlterConfigs (33); validateOnly stops before
// committing.
// Not implemented: BROKER_LOGGER and other resource types (INVALID_REQUEST), AlterConfigPolicy, authorization.

import { IncrementalAlterConfigs } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { alterEachResource, everyResourceFailed } from './alter-config-resources.ts'

export const incrementalAlterConfigsHandler = defineHandler(
  IncrementalAlterConfigs,
  { minVersion: 0, maxVersion: 1 },
  {
    handle: (req, ctx) =>
      alterEachResource(req.resources, (resource) =>
        ctx.broker.configs.incrementalAlter(resource, resource.configs, req.validateOnly),
      ),
    errorResponse: (req, errorCode) => everyResourceFailed(req.resources, errorCode),
  },
)
