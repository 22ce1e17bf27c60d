// AlterConfigs (33): v0-2.
// Behaviour: replaces the whole set of dynamic overrides of each resource (keys left out are reset, which is why
// IncrementalAlterConfigs superseded it). Topic resources: unknown topics UNKNOWN_TOPIC_OR_PARTITION, unknown keys
// and bad values INVALID_CONFIG naming the key. Broker resources (this broker's id, or "" for the cluster-wide
// default): read-only configs INVALID_REQUEST ("Cannot update these configs dynamically"). validateOnly stops
// before committing. Changes apply at once to the partitions' settings (max.message.bytes, retention, …).
// Not implemented: BROKER_LOGGER and other resource types (INVALID_REQUEST), AlterConfigPolicy, authorization.

import { AlterConfigs } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { alterEachResource, everyResourceFailed } from './alter-config-resources.ts'

export const alterConfigsHandler = defineHandler(
  AlterConfigs,
  { minVersion: 0, maxVersion: 2 },
  {
    handle: (req, ctx) =>
      alterEachResource(req.resources, (resource) =>
        ctx.broker.configs.alter(resource, resource.configs, req.validateOnly),
      ),
    errorResponse: (req, errorCode) => everyResourceFailed(req.resources, errorCode),
  },
)
