// The README's supported-API table is generated from the registry; this fails when they drift apart.
// Regenerate with: SAMSA_UPDATE_README=1 npm test -- packages/broker/src/readme

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { supportedApisTable } from './supported-apis.ts'

const readme = fileURLToPath(new URL('../README.md', import.meta.url))
const START = '<!-- supported-apis:start -->\n'
const END = '\n<!-- supported-apis:end -->'

test('README lists exactly the APIs the registry advertises', () => {
  const text = readFileSync(readme, 'utf8')
  const from = text.indexOf(START) + START.length
  const to = text.indexOf(END)
  const table = supportedApisTable()
  if (process.env.SAMSA_UPDATE_README) writeFileSync(readme, text.slice(0, from) + table + text.slice(to))
  else assert.equal(text.slice(from, to), table)
})
