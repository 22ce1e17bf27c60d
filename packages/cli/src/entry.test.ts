// The `samsa` entry points and the package's dependency direction: `samsa broker` must reach the broker before
// any CLI or client code loads (its cold start is measured), the CLI's runtime code imports only the client, and
// the process entry maps results to exit codes and streams.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from './testing.ts'

const src = dirname(fileURLToPath(import.meta.url))

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) sources(path, out)
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'testing.ts') out.push(path)
  }
  return out
}

test('the bin loads nothing before choosing: `broker` goes to the broker entry, the rest to dist/main.js', () => {
  const bin = readFileSync(join(src, '../bin/samsa.js'), 'utf8')
  assert.doesNotMatch(bin, /^import /m, 'no static imports: they would load before the broker fast path')
  const broker = bin.indexOf("import('@samsa/broker/bin/samsa.js')")
  const cli = bin.indexOf("'../dist/main.js'")
  assert.ok(broker > 0 && cli > broker, 'the broker branch comes first')
})

test('runtime code imports @samsa/client and node: builtins only (the broker is for tests and the bin)', () => {
  const problems: string[] = []
  for (const file of sources(src)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
      const spec = m[1] as string
      if (!spec.startsWith('.') && !spec.startsWith('node:') && spec !== '@samsa/client') {
        problems.push(`${file.slice(src.length + 1)} imports ${spec}`)
      }
    }
  }
  assert.deepEqual(problems, [])
})

test('`samsa` alone lists the commands; an unknown command is named', async () => {
  const none = await runCli([])
  assert.equal(none.code, 1)
  assert.match(none.out, /Commands:\n {2}broker/)
  for (const name of [
    'topics',
    'topics plan',
    'console-producer',
    'consumer-groups',
    'configs',
    'producer-perf-test',
  ]) {
    assert.match(none.out, new RegExp(`\\n  ${name} `))
  }
  assert.match((await runCli(['--version'])).out, /^\d+\.\d+\.\d+ \(Samsa\)\n$/)
  assert.match((await runCli(['topics', '--version'])).out, /\(Samsa\)/)
  const unknown = await runCli(['topicz'])
  assert.equal(unknown.code, 1)
  assert.match(unknown.err, /unknown command 'topicz'/)
  for (const name of [
    'topics',
    'console-producer',
    'console-consumer',
    'consumer-groups',
    'configs',
    'delete-records',
    'get-offsets',
    'producer-perf-test',
    'consumer-perf-test',
  ]) {
    const help = await runCli([name, '--help'])
    assert.equal(help.code, 0, name)
    assert.match(help.out, new RegExp(`^Usage: samsa ${name} `), name)
    assert.match(help.out, /--bootstrap-server/, name)
  }
})

test('the process entry exits non-zero with the message on stderr', async () => {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(src, 'main.ts'), 'get-offsets'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  assert.equal(code, 1)
  assert.match(err, /--bootstrap-server must be specified/)
})
