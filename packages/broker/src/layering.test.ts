// The broker's folder boundaries (ARCHITECTURE.md §9.3), checked mechanically from the import specifiers of
// every source file, until they become no-restricted-imports blocks in the shared ESLint config:
// - handlers/ reach partitions/, metadata/ and each coordinator only through their index.ts;
// - coordinator/ reaches partitions/ and metadata/ through their index.ts, and never server/ or handlers/;
// - metadata/ and partitions/ never import server/ or handlers/; metadata/ does not import partitions/;
// - storage is reached only through partitions/ (plus the composition root and config's LogConfig type);
// - the broker never imports a client package.

import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) sources(path, out)
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1] as string)
}

test('broker folders import only what the architecture allows', () => {
  const problems: string[] = []
  for (const file of sources(root)) {
    const rel = relative(root, file)
    const folder = rel.includes('/') ? (rel.split('/')[0] as string) : ''
    for (const spec of imports(file)) {
      const target = spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec
      const targetFolder = spec.startsWith('.') && target.includes('/') ? (target.split('/')[0] as string) : ''
      const fail = (why: string) => problems.push(`${rel} imports ${spec}: ${why}`)
      if (spec === '@samsa/client' || spec.startsWith('@samsa/client/')) fail('the broker never imports the client')
      if (folder === 'handlers' && (targetFolder === 'partitions' || targetFolder === 'metadata')) {
        if (!target.endsWith('/index.ts')) fail('handlers use the public index.ts of partitions/ and metadata/')
      }
      if (folder === 'handlers' && targetFolder === 'coordinator' && !/^coordinator\/[a-z]+\/index\.ts$/.test(target)) {
        fail('handlers use the public index.ts of each coordinator')
      }
      if (folder === 'coordinator' && (targetFolder === 'partitions' || targetFolder === 'metadata')) {
        if (!target.endsWith('/index.ts')) fail('coordinators use the public index.ts of partitions/ and metadata/')
      }
      if (
        (folder === 'metadata' || folder === 'partitions' || folder === 'coordinator') &&
        (targetFolder === 'server' || targetFolder === 'handlers')
      ) {
        fail(`${folder}/ must not depend on ${targetFolder}/`)
      }
      if (folder === 'metadata' && targetFolder === 'partitions') fail('metadata/ must not depend on partitions/')
      // The coordinator runtime needs only storage's Clock type.
      if (spec === '@samsa/storage' && !['partitions', 'config', 'coordinator', ''].includes(folder)) {
        fail('storage is reached through partitions/')
      }
    }
  }
  assert.deepEqual(problems, [])
})
