// The process entry as users run it: bad configs exit non-zero naming the key; a good one prints where it listens
// and keeps its data, warns about unknown keys, and shuts down cleanly on SIGTERM (exit 0, clean-shutdown marker).

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('./main.ts', import.meta.url))

function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env }
  delete copy.NODE_TEST_CONTEXT
  return copy
}

function run(args: string[], onStdout?: (text: string, kill: () => void) => void) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
    // Without the test runner's NODE_TEST_CONTEXT, the child is a plain process (not a test child).
    env: { ...withoutTestContext(process.env), SAMSA_LOG_LEVEL: 'warn' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
    onStdout?.(stdout, () => child.kill('SIGTERM'))
  })
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
}

test('a bad value exits 1 naming the key', async () => {
  const { code, stderr } = await run(['broker', '--override', 'num.partitions=many'])
  assert.equal(code, 1)
  assert.match(stderr, /invalid configuration: .*num\.partitions/)
})

test('starts from a properties file, warns about unknown keys, stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-main-'))
  const file = join(dir, 'server.properties')
  writeFileSync(
    file,
    `# a Kafka-style file\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=${join(dir, 'data')}\nsome.future.key=1\n`,
  )
  try {
    let signalled = false
    const { code, stdout, stderr } = await run(['broker', '--config', file], (text, kill) => {
      if (!signalled && text.includes('listening on')) {
        signalled = true
        kill()
      }
    })
    assert.equal(code, 0, stderr)
    assert.match(stdout, /listening on PLAINTEXT:\/\/127\.0\.0\.1:\d+; data in .*data/)
    assert.match(stderr, /some\.future\.key/)
    assert.ok(existsSync(join(dir, 'data', '.kafka_cleanshutdown')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
