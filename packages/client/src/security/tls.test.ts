// TLS against a real broker behind a TLS-terminating proxy (node:tls, with certificates made by Debian's openssl
// for this run; the broker advertises the proxy, so every connection goes through TLS): the camelCase `ssl` option,
// Java's PEM truststore and keystore properties, mutual TLS, hostname verification and
// ssl.endpoint.identification.algorithm="", and an untrusted certificate failing at once as an authentication
// error instead of being retried until a timeout.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createServer, type Server, type TlsOptions } from 'node:tls'
import { createAdmin } from '../admin/admin.ts'
import { isSamsaError } from '../errors.ts'
import { createProducer } from '../producer/producer.ts'
import { startTestBroker, uniqueTopic, type TestBroker } from '../testing.ts'

const dir = mkdtempSync(join(tmpdir(), 'samsa-tls-'))
const file = (name: string) => join(dir, name)
const pem = (name: string) => readFileSync(file(name), 'utf8')

/** A CA, server certificates for 127.0.0.1 and for another name, and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const newKey = ['-newkey', 'rsa:2048', '-nodes']
  openssl('req', '-x509', ...newKey, '-days', '1', '-subj', '/CN=samsa-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem')
  const names: [string, string][] = [
    ['server', 'IP:127.0.0.1'],
    ['other', 'DNS:elsewhere.example'],
    ['client', 'DNS:client'],
  ]
  for (const [name, san] of names) {
    openssl('req', ...newKey, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`)
    writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`)
    const sign = ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`]
    openssl('x509', '-req', '-in', `${name}.csr`, ...sign, '-out', `${name}.pem`)
  }
  writeFileSync(file('client-keystore.pem'), pem('client.key') + pem('client.pem'))
}

interface SecuredBroker {
  broker: TestBroker
  proxy: Server
  bootstrap: string
}

/** A broker whose only advertised address is a TLS proxy in front of it. */
async function tlsBroker(options: TlsOptions): Promise<SecuredBroker> {
  // The proxy comes first (its port is the broker's advertised one); it forwards to the broker's bound port.
  let target = 0
  const proxy = createServer(options, (socket) => {
    const upstream = connect({ host: '127.0.0.1', port: target })
    socket.pipe(upstream).pipe(socket)
    socket.on('error', () => upstream.destroy())
    upstream.on('error', () => socket.destroy())
  })
  proxy.on('tlsClientError', () => {})
  proxy.listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  const port = (proxy.address() as AddressInfo).port
  const broker = await startTestBroker({ config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}` } })
  target = broker.broker.boundPort
  return { broker, proxy, bootstrap: `127.0.0.1:${port}` }
}

let plain: SecuredBroker
let otherName: SecuredBroker
let mutual: SecuredBroker

before(async () => {
  makeCertificates()
  plain = await tlsBroker({ key: pem('server.key'), cert: pem('server.pem') })
  otherName = await tlsBroker({ key: pem('other.key'), cert: pem('other.pem') })
  mutual = await tlsBroker({
    key: pem('server.key'),
    cert: pem('server.pem'),
    ca: pem('ca.pem'),
    requestCert: true,
    rejectUnauthorized: true,
  })
})

after(async () => {
  for (const b of [plain, otherName, mutual]) {
    b?.proxy.close()
    await b?.broker.stop()
  }
  rmSync(dir, { recursive: true, force: true })
})

const isAuthenticationError = (e: unknown) => isSamsaError(e) && e.code === 'SAMSA_ERR_AUTHENTICATION' && !e.retriable

test('the ssl option: produce and read back offsets over TLS', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  const options = { bootstrapServers: plain.bootstrap, ssl: { ca: pem('ca.pem') } }
  const admin = createAdmin(options)
  const producer = createProducer(options)
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    const sent = await producer.send({ topic, messages: [{ value: 'over tls' }, { value: 'again' }] })
    assert.deepEqual(
      sent.map((r) => r.offset),
      [0n, 1n],
    )
    const [latest] = await admin.listOffsets({ partitions: [{ topic, partition: 0, spec: 'latest' }] })
    assert.equal(latest?.offset, 2n)
  } finally {
    await producer.close()
    await admin.close()
  }
})

test('Java properties: security.protocol=SSL with a PEM truststore file', { timeout: 20_000 }, async () => {
  const admin = createAdmin({
    'bootstrap.servers': plain.bootstrap,
    'security.protocol': 'SSL',
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': file('ca.pem'),
  })
  try {
    assert.ok(Array.isArray(await admin.listTopics()))
  } finally {
    await admin.close()
  }
})

test(
  'an untrusted certificate fails at once as SAMSA_ERR_AUTHENTICATION, not retriable',
  { timeout: 20_000 },
  async () => {
    const admin = createAdmin({ bootstrapServers: plain.bootstrap, ssl: true, defaultApiTimeoutMs: 15_000 })
    try {
      await assert.rejects(admin.listTopics(), isAuthenticationError)
    } finally {
      await admin.close()
    }
  },
)

test(
  'the certificate must name the host unless ssl.endpoint.identification.algorithm is empty',
  { timeout: 20_000 },
  async () => {
    const common = { 'bootstrap.servers': otherName.bootstrap, 'ssl.truststore.location': file('ca.pem') }
    const checking = createAdmin({ ...common, 'security.protocol': 'SSL' })
    const trusting = createAdmin({ ...common, 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' })
    try {
      await assert.rejects(checking.listTopics(), (e) => isAuthenticationError(e) && /127\.0\.0\.1/.test(String(e)))
      assert.ok(Array.isArray(await trusting.listTopics()))
    } finally {
      await checking.close()
      await trusting.close()
    }
  },
)

test(
  'mutual TLS: a PEM keystore (key and chain in one file) gets in, no certificate does not',
  { timeout: 20_000 },
  async () => {
    const common = { 'bootstrap.servers': mutual.bootstrap, 'ssl.truststore.location': file('ca.pem') }
    const withCertificate = createAdmin({
      ...common,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': file('client-keystore.pem'),
    })
    const without = createAdmin({ ...common, defaultApiTimeoutMs: 3000, retries: 0 })
    try {
      assert.ok(Array.isArray(await withCertificate.listTopics()))
      await assert.rejects(without.listTopics())
    } finally {
      await withCertificate.close()
      await without.close()
    }
  },
)

test('TLS options that cannot work are refused at construction, naming the key', () => {
  const base = { 'bootstrap.servers': plain.bootstrap }
  assert.throws(
    () => createAdmin({ ...base, 'ssl.truststore.location': file('missing.pem') }),
    /"ssl.truststore.location" names a file that cannot be read/,
  )
  assert.throws(
    () => createAdmin({ ...base, 'ssl.truststore.location': file('ca.pem'), 'ssl.truststore.type': 'JKS' }),
    /"ssl.truststore.type" JKS truststores cannot be read/,
  )
  assert.throws(
    () => createAdmin({ ...base, 'security.protocol': 'PLAINTEXT', ssl: true }),
    /"ssl" is set, but security.protocol is PLAINTEXT/,
  )
  assert.throws(
    () => createAdmin({ ...base, 'ssl.keystore.key': pem('client.key') }),
    /"ssl.keystore.certificate.chain" is required/,
  )
})
