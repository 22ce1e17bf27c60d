// ACLs (KIP-140/KIP-290). Samsa's broker has no ACL APIs yet, so against it every call fails with a clear
// SAMSA_ERR_UNSUPPORTED_VERSION. Against a scripted broker: the request frames the client sends are decoded with
// @samsa/protocol's request decoders and checked field by field (Kafka's codes for every enum), answers come back
// as bindings named the way the API takes them, and per-binding and per-filter errors become KafkaProtocolErrors.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CreateAcls, DeleteAcls, DescribeAcls, ErrorCode } from '@samsa/protocol'
import { isKafkaProtocolError, isSamsaError, SamsaErrorCode } from '../errors.ts'
import { startTestBroker } from '../testing.ts'
import type { AclBinding, NewAclBinding } from './acls.ts'
import { createAdmin } from './admin.ts'
import { handle, startScriptedBroker, type ScriptedBroker } from './scripted-admin-testing.ts'

const TIMEOUT = { timeout: 20_000 }
const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  isSamsaError(e) && e.code === code && (message === undefined || message.test(e.message))
const isKafkaError = (errorCode: number, message?: RegExp) => (e: unknown) =>
  isKafkaProtocolError(e) && e.errorCode === errorCode && (message === undefined || message.test(e.message))

const ALICE_READS: AclBinding = {
  resourceType: 'topic',
  resourceName: 'orders',
  patternType: 'literal',
  principal: 'User:alice',
  host: '*',
  operation: 'read',
  permissionType: 'allow',
}
const BOB_DENIED: AclBinding = {
  resourceType: 'group',
  resourceName: 'billing-',
  patternType: 'prefixed',
  principal: 'User:bob',
  host: '10.0.0.1',
  operation: 'describe_configs',
  permissionType: 'deny',
}

/** Wire form of a binding with Kafka's codes, in the field names of DescribeAcls' and DeleteAcls' answers. */
const ALICE_WIRE = { resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*' }
const ALICE_ACL = { principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }

async function aclBroker(maxVersions: Record<number, number> = {}): Promise<ScriptedBroker> {
  return startScriptedBroker(
    [
      handle(DescribeAcls, (body, version) =>
        body.principalFilter === 'User:mallory'
          ? DescribeAcls.response.make({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'no authorizer' })
          : DescribeAcls.response.make({
              resources: [
                { resourceType: 2, resourceName: 'orders', patternType: 3, acls: [ALICE_ACL] },
                {
                  resourceType: 3,
                  resourceName: 'billing-',
                  patternType: 4,
                  acls: [{ principal: 'User:bob', host: '10.0.0.1', operation: 10, permissionType: 2 }],
                },
              ].filter((r) => version >= 1 || r.patternType === 3), // v0 knows literal patterns only
            }),
      ),
      handle(CreateAcls, (body) =>
        CreateAcls.response.make({
          results: body.creations.map((c) =>
            c.principal === 'User:mallory'
              ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'mallory may not' }
              : c.principal === 'User:eve'
                ? { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: null }
                : { errorCode: ErrorCode.NONE, errorMessage: null },
          ),
        }),
      ),
      handle(DeleteAcls, (body, version) =>
        DeleteAcls.response.make({
          filterResults: body.filters.map((f) => {
            if (f.principalFilter === 'User:eve') {
              return { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'no authorizer', matchingAcls: [] }
            }
            const failed = f.principalFilter === 'User:mallory'
            return {
              errorCode: ErrorCode.NONE,
              errorMessage: null,
              matchingAcls: [
                { errorCode: ErrorCode.NONE, errorMessage: null, ...ALICE_WIRE, ...ALICE_ACL },
                {
                  errorCode: failed ? ErrorCode.RESOURCE_NOT_FOUND : ErrorCode.NONE,
                  errorMessage: failed ? 'already gone' : null,
                  resourceType: 3,
                  resourceName: 'billing-',
                  patternType: 4,
                  principal: 'User:bob',
                  host: '10.0.0.1',
                  operation: 10,
                  permissionType: 2,
                },
              ].filter((m) => version >= 1 || m.patternType === 3), // v0 knows literal patterns only
            }
          }),
        }),
      ),
    ],
    maxVersions,
  )
}

async function withAdmin(broker: ScriptedBroker, run: (admin: ReturnType<typeof createAdmin>) => Promise<void>) {
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers, retryBackoffMs: 1 })
  try {
    await run(admin)
  } finally {
    await admin.close()
  }
}

test(
  'against Samsa broker, which has no ACL APIs yet, every ACL call is SAMSA_ERR_UNSUPPORTED_VERSION',
  TIMEOUT,
  async () => {
    const broker = await startTestBroker()
    const admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
    try {
      const unsupported = (name: string) =>
        isCode(SamsaErrorCode.UNSUPPORTED_VERSION, new RegExp(`no version of ${name}`))
      await assert.rejects(admin.describeAcls({ resourceType: 'topic' }), unsupported('DescribeAcls'))
      await assert.rejects(admin.createAcls({ acls: [ALICE_READS] }), unsupported('CreateAcls'))
      await assert.rejects(admin.deleteAcls({ filters: [{ principal: 'User:alice' }] }), unsupported('DeleteAcls'))
    } finally {
      await admin.close()
      await broker.stop()
    }
  },
)

test('describeAcls sends the filter with Kafka codes and returns named bindings', TIMEOUT, async () => {
  const broker = await aclBroker()
  await withAdmin(broker, async (admin) => {
    assert.deepEqual(
      await admin.describeAcls({ resourceType: 'topic', resourceName: 'orders', patternType: 'match' }),
      [ALICE_READS, BOB_DENIED],
    )
    await admin.describeAcls()
    await admin.describeAcls({
      resourceType: 'transactional_id',
      patternType: 'prefixed',
      principal: 'User:alice',
      host: '*',
      operation: 'idempotent_write',
      permissionType: 'deny',
    })
    assert.deepEqual(
      broker.seen.get(DescribeAcls.key)?.map((r) => r.body),
      [
        {
          resourceTypeFilter: 2,
          resourceNameFilter: 'orders',
          patternTypeFilter: 2,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
        {
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
        {
          resourceTypeFilter: 5,
          resourceNameFilter: null,
          patternTypeFilter: 4,
          principalFilter: 'User:alice',
          hostFilter: '*',
          operation: 12,
          permissionType: 2,
        },
      ],
    )
    assert.equal(broker.seen.get(DescribeAcls.key)?.[0]?.version, 3)
    await assert.rejects(
      admin.describeAcls({ principal: 'User:mallory' }),
      isKafkaError(ErrorCode.SECURITY_DISABLED, /no authorizer/),
    )
  })
})

test('createAcls sends every binding; refused bindings become KafkaProtocolErrors naming them', TIMEOUT, async () => {
  const broker = await aclBroker()
  await withAdmin(broker, async (admin) => {
    const { patternType: _p, host: _h, ...aliceDefaults } = ALICE_READS
    await admin.createAcls({ acls: [aliceDefaults, BOB_DENIED] })
    assert.deepEqual(broker.seen.get(CreateAcls.key)?.[0]?.body, {
      creations: [
        {
          resourceType: 2,
          resourceName: 'orders',
          resourcePatternType: 3,
          principal: 'User:alice',
          host: '*',
          operation: 3,
          permissionType: 3,
        },
        {
          resourceType: 3,
          resourceName: 'billing-',
          resourcePatternType: 4,
          principal: 'User:bob',
          host: '10.0.0.1',
          operation: 10,
          permissionType: 2,
        },
      ],
    })

    const mallory: NewAclBinding = { ...aliceDefaults, principal: 'User:mallory', operation: 'all' }
    await assert.rejects(
      admin.createAcls({ acls: [ALICE_READS, mallory] }),
      isKafkaError(ErrorCode.INVALID_REQUEST, /acls\[1\] \(topic orders for User:mallory@\*\): mallory may not/),
    )
    const eve: NewAclBinding = { ...BOB_DENIED, principal: 'User:eve', operation: 'cluster_action' }
    await assert.rejects(admin.createAcls({ acls: [mallory, eve] }), (e: unknown) => {
      assert.ok(e instanceof AggregateError)
      assert.deepEqual(
        e.errors.map((x: unknown) => isKafkaProtocolError(x) && x.errorName),
        ['INVALID_REQUEST', 'SECURITY_DISABLED'],
      )
      return true
    })
  })
})

test('deleteAcls returns what each filter deleted; filter and binding errors are reported', TIMEOUT, async () => {
  const broker = await aclBroker()
  await withAdmin(broker, async (admin) => {
    const filter = { resourceType: 'any' as const, principal: 'User:alice', operation: 'read' as const }
    assert.deepEqual(await admin.deleteAcls({ filters: [filter] }), [{ filter, deleted: [ALICE_READS, BOB_DENIED] }])
    assert.deepEqual(broker.seen.get(DeleteAcls.key)?.[0]?.body, {
      filters: [
        {
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: 'User:alice',
          hostFilter: null,
          operation: 3,
          permissionType: 1,
        },
      ],
    })
    await assert.rejects(
      admin.deleteAcls({ filters: [{ principal: 'User:eve' }, { principal: 'User:mallory' }] }),
      (e: unknown) => {
        assert.ok(e instanceof AggregateError)
        assert.deepEqual(
          e.errors.map((x: unknown) => (isKafkaProtocolError(x) ? [x.errorName, x.message] : x)),
          [
            [
              'SECURITY_DISABLED',
              'SECURITY_DISABLED: Security features are not enabled on the broker.: filters[0]: no authorizer',
            ],
            [
              'RESOURCE_NOT_FOUND',
              'RESOURCE_NOT_FOUND: The request names a resource that does not exist.: ' +
                'filters[1] matching group billing- for User:bob@10.0.0.1: already gone',
            ],
          ],
        )
        return true
      },
    )
  })
})

test('bad ACL arguments fail before sending, naming the field', TIMEOUT, async () => {
  const broker = await aclBroker()
  await withAdmin(broker, async (admin) => {
    const invalid = (field: string) =>
      isCode(SamsaErrorCode.INVALID_ARGUMENT, new RegExp(`^${field.replace(/[[\]]/g, '\\$&')} `))
    await assert.rejects(admin.createAcls({ acls: [] }), invalid('acls'))
    await assert.rejects(
      admin.createAcls({ acls: [ALICE_READS, { ...BOB_DENIED, resourceType: 'any' }] }),
      invalid('acls[1].resourceType'),
    )
    await assert.rejects(
      admin.createAcls({ acls: [{ ...ALICE_READS, patternType: 'match' }] }),
      invalid('acls[0].patternType'),
    )
    await assert.rejects(
      admin.createAcls({ acls: [{ ...ALICE_READS, operation: 'any' }] }),
      invalid('acls[0].operation'),
    )
    await assert.rejects(
      admin.createAcls({ acls: [{ ...ALICE_READS, permissionType: 'any' }] }),
      invalid('acls[0].permissionType'),
    )
    await assert.rejects(admin.createAcls({ acls: [{ ...ALICE_READS, principal: '' }] }), invalid('acls[0].principal'))
    await assert.rejects(admin.describeAcls({ operation: 'READ' as 'read' }), invalid('filter.operation'))
    await assert.rejects(admin.describeAcls({ resourceType: 'unknown' }), invalid('filter.resourceType'))
    await assert.rejects(
      admin.deleteAcls({ filters: [{}, { host: 7 as unknown as string }] }),
      invalid('filters[1].host'),
    )
    assert.equal(broker.seen.size, 0, 'nothing was sent')
  })
})

test('a v0-only broker gets literal patterns and a clear error for prefixed ones', TIMEOUT, async () => {
  const broker = await aclBroker({ [DescribeAcls.key]: 0, [CreateAcls.key]: 0, [DeleteAcls.key]: 0 })
  await withAdmin(broker, async (admin) => {
    await admin.createAcls({ acls: [ALICE_READS] })
    assert.equal(broker.seen.get(CreateAcls.key)?.[0]?.version, 0)
    const v0 = isCode(SamsaErrorCode.UNSUPPORTED_VERSION, /literal resource patterns only/)
    await assert.rejects(admin.createAcls({ acls: [BOB_DENIED] }), v0)
    await assert.rejects(admin.describeAcls({ resourceType: 'topic', patternType: 'match' }), v0)
    await assert.rejects(admin.deleteAcls({ filters: [{ patternType: 'prefixed' }] }), v0)
    // Before KIP-290 every ACL is literal, so a filter for any pattern is sent as a v0 (literal) filter.
    assert.deepEqual(await admin.describeAcls({ resourceType: 'topic' }), [ALICE_READS])
    assert.deepEqual(await admin.deleteAcls({ filters: [{ principal: 'User:alice' }] }), [
      { filter: { principal: 'User:alice' }, deleted: [ALICE_READS] },
    ])
    assert.deepEqual(
      [CreateAcls, DescribeAcls, DeleteAcls].map((api) => broker.seen.get(api.key)?.map((r) => r.version)),
      [[0], [0], [0]],
    )
  })
})
