// @platformatic/kafka 2.x transactions (lib/txn-scenario.ts): each step is a Node 22 child
// (scripts/with-node22.sh) running clients/platformatic-txn.ts: a Producer with transactionalId
// (beginTransaction / send / commit / abort), its read_committed group Consumer, consume-transform-produce with
// Transaction.addConsumer + addOffset (offsets of messages its group consumer handed out), and fencing.

import { join } from 'node:path'
import { run } from './lib/processes.ts'
import { repoRoot } from './lib/target.ts'
import { programTxnDriver, txnScenario } from './lib/txn-scenario.ts'

const withNode22 = join(repoRoot, 'scripts/with-node22.sh')
const program = join(repoRoot, 'tests/compat/clients/platformatic-txn.ts')

txnScenario({
  client: 'platformatic',
  driver: async (target) => {
    // installs the Node 22 binary on first use, outside the steps' time bounds
    await run('bash', [withNode22, 'node', '--version'], { timeoutMs: 100_000 })
    return programTxnDriver(
      { command: 'bash', args: [withNode22, 'node', '--conditions=source', '--import', 'tsx', program] },
      target,
    )
  },
})
