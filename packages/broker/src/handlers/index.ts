// Every API handler, one file per API key. The registry (server/registry.ts) is built from this list, so
// ApiVersions advertises exactly these APIs with the versions each handler declares.

import { anyHandler, type AnyHandler } from '../server/handler.ts'
import { produceHandler } from './00-produce.ts'
import { fetchHandler } from './01-fetch.ts'
import { listOffsetsHandler } from './02-list-offsets.ts'
import { metadataHandler } from './03-metadata.ts'
import { findCoordinatorHandler } from './10-find-coordinator.ts'
import { apiVersionsHandler } from './18-api-versions.ts'
import { createTopicsHandler } from './19-create-topics.ts'
import { deleteTopicsHandler } from './20-delete-topics.ts'
import { deleteRecordsHandler } from './21-delete-records.ts'
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.ts'
import { describeConfigsHandler } from './32-describe-configs.ts'
import { alterConfigsHandler } from './33-alter-configs.ts'
import { describeLogDirsHandler } from './35-describe-log-dirs.ts'
import { createPartitionsHandler } from './37-create-partitions.ts'
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.ts'
import { describeClusterHandler } from './60-describe-cluster.ts'
import { describeTopicPartitionsHandler } from './75-describe-topic-partitions.ts'

export const allHandlers: readonly AnyHandler[] = [
  anyHandler(produceHandler),
  anyHandler(fetchHandler),
  anyHandler(listOffsetsHandler),
  anyHandler(metadataHandler),
  anyHandler(findCoordinatorHandler),
  anyHandler(apiVersionsHandler),
  anyHandler(createTopicsHandler),
  anyHandler(deleteTopicsHandler),
  anyHandler(deleteRecordsHandler),
  anyHandler(offsetForLeaderEpochHandler),
  anyHandler(describeConfigsHandler),
  anyHandler(alterConfigsHandler),
  anyHandler(describeLogDirsHandler),
  anyHandler(createPartitionsHandler),
  anyHandler(incrementalAlterConfigsHandler),
  anyHandler(describeClusterHandler),
  anyHandler(describeTopicPartitionsHandler),
]
