// @platformatic/kafka 2.x consumer groups: each member is a Node 22 child (scripts/with-node22.sh) running
// clients/platformatic-group.ts, once with the classic protocol and once with KIP-848's consumer protocol
// (groupProtocol: 'consumer').
// Not here: the static-membership scenario (the library sends LeaveGroup, or a leave heartbeat with epoch -1, on
// close even for a static member, so it cannot stop without leaving) and the cooperative one (the library swaps
// its assignment in one step under its eager roundrobin assignor too, so its reports cannot tell the two apart).

import { join } from 'node:path'
import { childGroupMember, groupScenario } from './lib/group-scenario.ts'
import { run, spawnTracked } from './lib/processes.ts'
import { repoRoot } from './lib/target.ts'

const withNode22 = join(repoRoot, 'scripts/with-node22.sh')
const program = join(repoRoot, 'tests/compat/clients/platformatic-group.ts')

groupScenario({
  client: 'platformatic',
  protocols: ['classic', 'consumer'],
  driver: async (target) => {
    // installs the Node 22 binary on first use, outside the scenario's waits
    await run('bash', [withNode22, 'node', '--version'], { timeoutMs: 100_000 })
    return {
      startMember({ group, topic, name, protocol }) {
        const args = ['--bootstrap', target.bootstrap, '--group', group, '--topic', topic, '--name', name]
        const child = spawnTracked(
          'bash',
          [withNode22, 'node', '--conditions=source', '--import', 'tsx', program, ...args, '--protocol', protocol],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        )
        return Promise.resolve(childGroupMember(child, name))
      },
    }
  },
})
