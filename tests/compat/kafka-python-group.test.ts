// kafka-python 2.0.2 (Debian python3-kafka) consumer groups: each member is a /usr/bin/python3 child running
// clients/kafka_python_group.py, classic protocol with its default (eager) assignors.

import { childGroupMember, groupScenario } from './lib/group-scenario.ts'
import { spawnTracked } from './lib/processes.ts'
import { pythonClient } from './lib/python.ts'

const program = pythonClient('kafka_python_group.py')

groupScenario({
  client: 'kafka-python',
  protocols: ['classic'],
  driver: (target) => ({
    startMember({ group, topic, name }) {
      const args = ['--bootstrap', target.bootstrap, '--group', group, '--topic', topic, '--name', name]
      const child = spawnTracked(program.command, [...program.args, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: program.env,
      })
      return Promise.resolve(childGroupMember(child, name))
    },
  }),
})
