import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { ApiVersions } from '@samsa/protocol'
import { startBroker } from '../broker.ts'
import { parsePerIpOverrides } from '../config/per-ip-overrides.ts'
import { startTestBroker } from '../testing.ts'
import { ConnectionLimits } from './connection-limits.ts'

test('max.connections.per.ip.overrides parses address:limit pairs, IPv6 included, and names what is wrong', () => {
  assert.deepEqual(
    parsePerIpOverrides(' 127.0.0.1:200, ::1:3 ,10.0.0.7:0'),
    new Map([
      ['127.0.0.1', 200],
      ['::1', 3],
      ['10.0.0.7', 0],
    ]),
  )
  assert.deepEqual(parsePerIpOverrides(''), new Map())
  assert.match(parsePerIpOverrides('127.0.0.1') as string, /'127.0.0.1' is not address:limit/)
  assert.match(parsePerIpOverrides('127.0.0.1:-1') as string, /not address:limit/)
  assert.match(parsePerIpOverrides('kafka.example.com:5') as string, /not an IP address/)
})

test('limits count per address and in total, overrides win, and releases make room again', () => {
  const config = { total: 4, perIp: 2, overrides: '10.0.0.9:3,10.0.0.8:0' }
  const limits = new ConnectionLimits({
    maxConnections: () => config.total,
    maxConnectionsPerIp: () => config.perIp,
    perIpOverrides: () => config.overrides,
  })
  assert.equal(limits.admit('10.0.0.1'), true)
  assert.equal(limits.admit('::ffff:10.0.0.1'), true, 'the IPv4 client of a dual-stack listener is the same address')
  assert.equal(limits.admit('10.0.0.1'), false, 'max.connections.per.ip')
  assert.equal(limits.admit('10.0.0.8'), false, 'an override of 0')
  assert.equal(limits.admit('10.0.0.9'), true)
  assert.equal(limits.admit('10.0.0.9'), true)
  assert.equal(limits.admit('10.0.0.9'), false, 'max.connections, before the override of 3')
  assert.equal(limits.total, 4)
  limits.release('10.0.0.1')
  assert.equal(limits.admit('10.0.0.9'), true, 'a released connection makes room')
  config.overrides = '' // a dynamic change applies to the next connection
  limits.release('10.0.0.9')
  assert.equal(limits.admit('10.0.0.9'), false, 'back to max.connections.per.ip')
})

async function openSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  return socket
}

/** Resolves with true if the broker closes `socket` within `ms`, false if it stays open. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.resume()
  })
}

test('a broker with max.connections.per.ip closes the connection over it, and serves the others', async () => {
  const tb = await startTestBroker({ config: { 'max.connections.per.ip': 2 } })
  try {
    const first = await tb.connect()
    const second = await tb.connect()
    const third = await openSocket(tb.broker.boundPort)
    assert.equal(await closedWithin(third, 2000), true, 'the third connection from 127.0.0.1 is closed')
    for (const conn of [first, second]) {
      const res = await conn.request(ApiVersions, 2, ApiVersions.request.make({}))
      assert.equal(res.errorCode, 0)
    }
    first.destroy()
    await first.closed
    // The broker sees the close a little later than the client; a new connection is admitted once it has.
    let admitted = false
    for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
      const next = await openSocket(tb.broker.boundPort)
      admitted = !(await closedWithin(next, 100))
      next.destroy()
    }
    assert.equal(admitted, true, 'a connection is admitted again once one has closed')
  } finally {
    await tb.stop()
  }
})

test('a bad max.connections.per.ip.overrides value stops the broker from starting, naming the key', async () => {
  await assert.rejects(
    startBroker({ port: 0, host: '127.0.0.1', config: { 'max.connections.per.ip.overrides': 'localhost:5' } }),
    /max\.connections\.per\.ip\.overrides.*not an IP address/s,
  )
})
