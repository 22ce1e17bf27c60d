import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadApiSchemas } from '../testing/schemas.ts'
import { allApis, apiByKey } from './index.ts'

test('the registry lists every schema file, in key order', async () => {
  const discovered = await loadApiSchemas()
  assert.deepEqual(
    allApis.map((a) => a.name),
    discovered.map((a) => a.name),
  )
  const keys = allApis.map((a) => a.key)
  assert.deepEqual(
    keys,
    [...keys].sort((a, b) => a - b),
  )
  assert.equal(apiByKey(18)?.name, 'ApiVersions')
  assert.equal(apiByKey(9999), undefined)
})
