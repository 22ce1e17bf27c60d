// Test-only discovery of every schema in the package, by importing each file of messages/ and internal/.
// Tests iterate these, so a new message file is covered by the round-trip, conformance and fuzz tests the
// moment it exists.

import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ApiSchema, RecordSchema } from '../schema.ts'

function isApiSchema(v: unknown): v is ApiSchema {
  return typeof v === 'object' && v !== null && 'key' in v && 'request' in v && 'response' in v
}

function isRecordSchema(v: unknown): v is RecordSchema {
  return typeof v === 'object' && v !== null && 'struct' in v && 'validVersions' in v && !('key' in v)
}

async function importAll(folder: string): Promise<{ file: string; exports: Record<string, unknown> }[]> {
  const dir = fileURLToPath(new URL(`../${folder}/`, import.meta.url))
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
    .sort()
  const out = []
  for (const file of files) {
    const exports = (await import(new URL(`../${folder}/${file}`, import.meta.url).href)) as Record<string, unknown>
    out.push({ file, exports })
  }
  return out
}

export async function loadApiSchemas(): Promise<ApiSchema[]> {
  const apis: ApiSchema[] = []
  for (const { exports } of await importAll('messages')) {
    for (const value of Object.values(exports)) if (isApiSchema(value)) apis.push(value)
  }
  return apis.sort((a, b) => a.key - b.key)
}

export async function loadDataSchemas(): Promise<RecordSchema[]> {
  const out: RecordSchema[] = []
  let modules: { exports: Record<string, unknown> }[] = []
  try {
    modules = await importAll('internal')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  for (const { exports } of modules) {
    for (const value of Object.values(exports)) if (isRecordSchema(value)) out.push(value)
  }
  return out
}
