// Test-only access to ../shared/reference (Kafka's message JSON specs and kafkajs's recorded bytes). These files are
// read at test time from beside the project checkout and never copied into it.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

export const referenceDir: string = process.env.SAMSA_REFERENCE_DIR ?? join(repoRoot, '..', 'shared', 'reference')

export function requireReference(): string {
  if (!existsSync(join(referenceDir, 'kafka-message-specs'))) {
    throw new Error(
      `Kafka reference data not found at ${referenceDir}; the tests expect ../shared/reference beside the checkout ` +
        '(or set SAMSA_REFERENCE_DIR)',
    )
  }
  return referenceDir
}

/** Kafka's spec files are JSON with full-line // comments. */
export function readSpecFile(path: string): SpecMessage {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n')
  return JSON.parse(text) as SpecMessage
}

export interface SpecField {
  name: string
  type: string
  versions?: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number | string
  default?: string | number | boolean
  ignorable?: boolean
  flexibleVersions?: string
  fields?: SpecField[]
}

export interface SpecMessage {
  apiKey?: number
  type: string
  name: string
  validVersions: string
  flexibleVersions: string
  latestVersionUnstable?: boolean
  fields: SpecField[]
  commonStructs?: { name: string; versions: string; fields: SpecField[] }[]
}

export function listSpecs(folder: string): Map<string, SpecMessage> {
  const dir = join(requireReference(), folder)
  const out = new Map<string, SpecMessage>()
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.json')) out.set(file.slice(0, -5), readSpecFile(join(dir, file)))
  }
  return out
}

/** A kafkajs fixture: the JSON form of a Buffer. */
export function readFixture(relativePath: string): Buffer {
  const json = JSON.parse(readFileSync(join(requireReference(), 'kafkajs-fixtures', relativePath), 'utf8')) as {
    data: number[]
  }
  return Buffer.from(json.data)
}

export interface FixtureIndexRow {
  fixture: string
  bytes: number
  kind: string
  specs: string[]
  note: string
}

export function fixtureIndex(): FixtureIndexRow[] {
  const text = readFileSync(join(requireReference(), 'kafkajs-fixtures-index.tsv'), 'utf8')
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [fixture = '', bytes = '0', kind = '', specs = '', note = ''] = line.split('\t')
      return { fixture, bytes: Number(bytes), kind, specs: specs.split(' ').filter(Boolean), note }
    })
}
