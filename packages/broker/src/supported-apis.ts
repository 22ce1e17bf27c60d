// The supported-API table of the README, generated from the handler registry and each handler file's header
// block, so the documentation cannot drift from what ApiVersions advertises (README.test.ts checks it).

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { allHandlers } from './handlers/index.ts'

export function supportedApisTable(): string {
  const rows = ['| Key | API | Versions | Not implemented |', '| --- | --- | --- | --- |']
  for (const h of [...allHandlers].sort((a, b) => a.api.key - b.api.key)) {
    const file = fileURLToPath(new URL(`./handlers/${handlerFile(h.api.key, h.api.name)}`, import.meta.url))
    const header = readFileSync(file, 'utf8')
    const notImplemented = /\/\/ Not implemented: ([\s\S]*?)\n(?!\/\/ {2}|\/\/ [a-z(])/.exec(header)?.[1] ?? ''
    const versions =
      h.acceptMinVersion > h.minVersion
        ? `${h.minVersion}-${h.maxVersion} (${h.minVersion}-${h.acceptMinVersion - 1} advertised, refused)`
        : `${h.minVersion}-${h.maxVersion}`
    rows.push(`| ${h.api.key} | ${h.api.name} | ${versions} | ${notImplemented.replace(/\n\/\/ /g, ' ').trim()} |`)
  }
  return rows.join('\n')
}

function handlerFile(key: number, name: string): string {
  const kebab = name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()
  return `${String(key).padStart(2, '0')}-${kebab}.ts`
}
