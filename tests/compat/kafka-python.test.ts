// kafka-python 2.0.2 (Debian python3-kafka, with python3-lz4/-snappy/-zstandard for the codecs) under
// /usr/bin/python3. Admin through KafkaAdminClient, consume by KafkaConsumer.assign() with group_id=None, offsets
// through beginning_offsets/end_offsets (ListOffsets).

import { childDriver } from './lib/child-driver.ts'
import { pythonClient } from './lib/python.ts'
import { ALL_CODECS, compatScenario } from './lib/scenario.ts'

compatScenario({
  client: 'kafka-python',
  codecs: ALL_CODECS,
  shape: { binary: true, headers: 'per-record' },
  driver: (target, workDir) => childDriver({ ...pythonClient('kafka_python_client.py'), admin: true }, target, workDir),
})
