// confluent-kafka-python 1.7.0 (librdkafka 2.0.2) consumer groups: each member is a /usr/bin/python3 child running
// clients/confluent_kafka_group.py (classic protocol; librdkafka 2.0.2 predates KIP-848). Three scenarios, each with
// its own broker: the shared one with the default assignor (range,roundrobin: eager), cooperative-sticky
// (incremental rebalances), and static membership (group.instance.id; close() does not leave the group).

import {
  childGroupMember,
  cooperativeScenario,
  groupScenario,
  staticMembershipScenario,
  type MemberOptions,
} from './lib/group-scenario.ts'
import { spawnTracked } from './lib/processes.ts'
import { pythonClient } from './lib/python.ts'
import type { Target } from './lib/target.ts'

const program = pythonClient('confluent_kafka_group.py')

function startMember(target: Target, options: MemberOptions, extra: string[] = []) {
  const args = ['--bootstrap', target.bootstrap, '--group', options.group, '--topic', options.topic]
  const child = spawnTracked(program.command, [...program.args, ...args, '--name', options.name, ...extra], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: program.env,
  })
  return Promise.resolve(childGroupMember(child, options.name))
}

groupScenario({
  client: 'confluent-python',
  protocols: ['classic'],
  driver: (target) => ({ startMember: (options) => startMember(target, options) }),
})

cooperativeScenario({
  client: 'confluent-python',
  driver: (target) => ({
    startMember: (options) => startMember(target, options, ['--strategy', 'cooperative-sticky']),
  }),
})

staticMembershipScenario({
  client: 'confluent-python',
  driver: (target) => ({
    startMember: (options) => startMember(target, options, ['--instance-id', options.instanceId]),
  }),
})
