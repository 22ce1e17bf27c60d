// confluent-kafka-python 1.7.0 (Debian python3-confluent-kafka, librdkafka 2.0.2) under /usr/bin/python3 (the
// Debian interpreter: a pyenv python3 earlier on PATH cannot import Debian's modules). Admin through AdminClient,
// consume by Consumer.assign() without a group, offsets through get_watermark_offsets (ListOffsets).

import { childDriver } from './lib/child-driver.ts'
import { ALL_CODECS, compatScenario } from './lib/scenario.ts'
import { pythonClient } from './lib/python.ts'

compatScenario({
  client: 'confluent-python',
  codecs: ALL_CODECS,
  shape: { binary: true, headers: 'per-record' },
  driver: (target, workDir) =>
    childDriver({ ...pythonClient('confluent_kafka_client.py'), admin: true }, target, workDir),
})
