#!/usr/bin/env node
// Runs every *.test.ts under packages/ (bench/ never) through node:test with tsx.
// Node 20's --test does not expand globs, so the file list is built here. Extra arguments are passed
// through to node (e.g. `npm test -- --test-name-pattern=crc`), and bare paths narrow the file list.
// `--dir=<path>` collects from another directory instead (`npm run test:compat` uses --dir=tests/compat).
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const skip = new Set(['node_modules', 'dist', '.git'])

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.ts')) out.push(relative(root, path))
  }
  return out
}

const dirFlag = '--dir='
const args = process.argv.slice(2)
const dirs = args.filter((a) => a.startsWith(dirFlag)).map((a) => a.slice(dirFlag.length))
const filters = args.filter((a) => !a.startsWith('-'))
const nodeFlags = args.filter((a) => a.startsWith('-') && !a.startsWith(dirFlag))
let files = (dirs.length > 0 ? dirs : ['packages']).flatMap((dir) => collect(join(root, dir), [])).sort()
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)))
if (files.length === 0) {
  console.error('run-tests: no test files matched')
  process.exit(1)
}
const reporter = process.env.CI || !process.stdout.isTTY ? ['--test-reporter=spec'] : []
const result = spawnSync(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', ...reporter, ...nodeFlags, ...files],
  // Recycled request frames are overwritten in tests, so a view kept past recycling shows (@samsa/net frame-pool.ts).
  { cwd: root, stdio: 'inherit', env: { SAMSA_POISON_RECYCLED_FRAMES: '1', ...process.env } },
)
process.exit(result.status ?? 1)
