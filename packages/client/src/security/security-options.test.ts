// How the security options resolve: the protocol implied by ssl/sasl, Java's sasl.jaas.config, and mistakes
// reported under the key that caused them. (TLS files and the wire are covered by tls.test.ts and sasl.test.ts.)

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseJaasConfig, resolveSecurity } from './security-options.ts'

test('the protocol follows from ssl and sasl unless security.protocol says it', () => {
  assert.deepEqual(resolveSecurity({}), { tls: null, sasl: null })
  assert.deepEqual(resolveSecurity({ ssl: true }).tls, {})
  const sasl = { mechanism: 'PLAIN', username: 'u', password: 'p' } as const
  assert.deepEqual(resolveSecurity({ sasl }), { tls: null, sasl })
  assert.deepEqual(resolveSecurity({ sasl, ssl: { servername: 'kafka' } }), { tls: { servername: 'kafka' }, sasl })
  assert.deepEqual(resolveSecurity({ securityProtocol: 'SSL' }), { tls: {}, sasl: null })
  assert.throws(() => resolveSecurity({ securityProtocol: 'SSL', sasl }), /"sasl" is set, but security.protocol is SSL/)
})

test('sasl.jaas.config: quoted and bare values, escapes, and the login module must match the mechanism', () => {
  assert.deepEqual(
    parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="a b" password=x\\y;'),
    {
      loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule',
      options: { username: 'a b', password: 'x\\y' },
    },
  )
  assert.deepEqual(parseJaasConfig('ScramLoginModule required password="q\\"uote" username=u').options, {
    password: 'q"uote',
    username: 'u',
  })
  const plain = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";'
  assert.deepEqual(resolveSecurity({ securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', saslJaasConfig: plain }), {
    tls: {},
    sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' },
  })
  assert.throws(
    () => resolveSecurity({ securityProtocol: 'SASL_SSL', saslMechanism: 'SCRAM-SHA-512', saslJaasConfig: plain }),
    /"sasl.jaas.config" uses .*PlainLoginModule, but sasl.mechanism SCRAM-SHA-512 needs ScramLoginModule/,
  )
  assert.throws(() => parseJaasConfig('username="u"'), /"sasl.jaas.config" must look like/)
  assert.throws(() => parseJaasConfig('PlainLoginModule required username="u" ???'), /cannot read the options/)
})

test('a SASL protocol without a usable mechanism is refused, naming the key', () => {
  assert.throws(() => resolveSecurity({ securityProtocol: 'SASL_PLAINTEXT' }), /"sasl.mechanism" is required .*GSSAPI/)
  assert.throws(
    () =>
      resolveSecurity({ securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'GSSAPI', saslJaasConfig: 'x required;' }),
    /GSSAPI is not built in/,
  )
  assert.throws(
    () => resolveSecurity({ sasl: { mechanism: 'PLAIN', username: 'u' } as never }),
    /needs username and password/,
  )
  assert.throws(() => resolveSecurity({ sasl: { mechanism: 'OAUTHBEARER' } as never }), /oauthBearerProvider/)
  assert.throws(() => resolveSecurity({ sasl: { mechanism: 'AWS_MSK_IAM' } as never }), /authenticate function/)
})
