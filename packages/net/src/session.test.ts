import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { FrameDecoder, sizePrefix } from './framing.ts'
import { Listener } from './listener.ts'
import { CLOSE_CONNECTION, type Reply, type SessionHandler } from './session.ts'

function frame(body: Buffer): Buffer {
  return Buffer.concat([sizePrefix(body.length), body])
}

function reply(body: Buffer): Buffer[] {
  return [sizePrefix(body.length), body]
}

async function start(handler: (frame: Buffer) => Reply | Promise<Reply>, maxFrameBytes = 1024) {
  const errors: Error[] = []
  let errorSeen!: () => void
  const firstError = new Promise<void>((r) => (errorSeen = r))
  const listener = await Listener.listen({
    host: '127.0.0.1',
    port: 0,
    maxFrameBytes,
    onConnection: (): SessionHandler => ({ onFrame: (f) => handler(f) }),
    onConnectionError: (_s, e) => {
      errors.push(e)
      errorSeen()
    },
  })
  const socket = connect(listener.address.port, '127.0.0.1')
  await once(socket, 'connect')
  return { listener, socket, errors, firstError }
}

/** Collects `n` response frames from the socket. */
function readFrames(socket: Socket, n: number): Promise<string[]> {
  const decoder = new FrameDecoder(1 << 20)
  const out: string[] = []
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) out.push(f.toString())
      if (out.length >= n) {
        socket.off('data', onData)
        resolve(out)
      }
    }
    socket.on('data', onData)
    socket.once('close', () => reject(new Error(`closed after ${out.length} frames`)))
  })
}

test('responses leave in request order even when an earlier handler finishes last', async () => {
  let releaseSlow!: () => void
  let slowStartedResolve!: () => void
  const slowStarted = new Promise<void>((r) => (slowStartedResolve = r))
  const { listener, socket } = await start((f) => {
    const name = f.toString()
    if (name === 'slow') {
      slowStartedResolve()
      return new Promise<Reply>((resolve) => (releaseSlow = () => resolve(reply(Buffer.from('slow-done')))))
    }
    if (name === 'async') return Promise.resolve(reply(Buffer.from('async-done')))
    return reply(Buffer.from(`${name}-done`))
  })
  const responses = readFrames(socket, 4)
  socket.write(Buffer.concat([frame(Buffer.from('slow')), frame(Buffer.from('fast')), frame(Buffer.from('async'))]))
  await slowStarted
  socket.write(frame(Buffer.from('later')))
  // Every later handler has run (they are synchronous or already resolved) before the slow one is released.
  await new Promise((r) => setImmediate(r))
  releaseSlow()
  assert.deepEqual(await responses, ['slow-done', 'fast-done', 'async-done', 'later-done'])
  socket.destroy()
  await listener.close()
})

test('a null reply sends nothing and later replies still arrive', async () => {
  const { listener, socket } = await start((f) => (f.toString() === 'quiet' ? null : reply(f)))
  const responses = readFrames(socket, 2)
  socket.write(Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('quiet')), frame(Buffer.from('b'))]))
  assert.deepEqual(await responses, ['a', 'b'])
  socket.destroy()
  await listener.close()
})

test('a releasing reply is written like any other, then its written() runs once', async () => {
  const calls: string[] = []
  const { listener, socket } = await start((f) => ({
    chunks: reply(f),
    written: () => calls.push(f.toString()),
  }))
  const responses = readFrames(socket, 2)
  socket.write(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))]))
  assert.deepEqual(await responses, ['one', 'two'])
  assert.deepEqual(calls, ['one', 'two'])
  socket.destroy()
  await listener.close()
})

test('a releasing reply that can never be written still gets written() (memory goes back to its owner)', async () => {
  const released: string[] = []
  let finishLate!: (r: Reply) => void
  const { listener, socket } = await start((f) => {
    const name = f.toString()
    if (name === 'bye') return CLOSE_CONNECTION
    const r = { chunks: reply(f), written: () => released.push(name) }
    if (name === 'late') return new Promise<Reply>((resolve) => (finishLate = () => resolve(r)))
    return r
  })
  const closed = once(socket, 'close')
  socket.write(Buffer.concat([frame(Buffer.from('late')), frame(Buffer.from('bye'))]))
  await new Promise((r) => setTimeout(r, 50))
  socket.destroy()
  await closed
  await new Promise((r) => setTimeout(r, 50))
  finishLate(null) // completes after the connection is gone
  await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(released, ['late'])
  await listener.close()
})

test('many pipelined requests in one write are all answered in order', async () => {
  const { listener, socket } = await start((f) => reply(f))
  const n = 5000
  const responses = readFrames(socket, n)
  const frames: Buffer[] = []
  for (let i = 0; i < n; i++) frames.push(frame(Buffer.from(String(i))))
  socket.write(Buffer.concat(frames))
  const got = await responses
  assert.equal(got.length, n)
  assert.deepEqual(
    got,
    Array.from({ length: n }, (_, i) => String(i)),
  )
  socket.destroy()
  await listener.close()
})

test('an oversized frame closes the connection without reaching the handler', async () => {
  let calls = 0
  const { listener, socket, errors, firstError } = await start(() => {
    calls++
    return null
  }, 16)
  const closed = once(socket, 'close')
  socket.write(sizePrefix(17))
  await closed
  await firstError
  assert.equal(calls, 0)
  assert.match(errors[0]?.message ?? '', /larger than the limit/)
  await listener.close()
})

test('CLOSE_CONNECTION writes earlier replies, then closes', async () => {
  const { listener, socket } = await start((f) => (f.toString() === 'bye' ? CLOSE_CONNECTION : reply(f)))
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  const closed = once(socket, 'close')
  socket.write(Buffer.concat([frame(Buffer.from('first')), frame(Buffer.from('bye')), frame(Buffer.from('never'))]))
  await closed
  const decoder = new FrameDecoder(1024)
  assert.deepEqual(
    decoder.push(Buffer.concat(chunks)).map((b) => b.toString()),
    ['first'],
  )
  await listener.close()
})

test('a handler that throws closes the connection', async () => {
  const { listener, socket, errors, firstError } = await start(() => {
    throw new Error('boom')
  })
  const closed = once(socket, 'close')
  socket.write(frame(Buffer.from('x')))
  await closed
  await firstError
  assert.equal(errors[0]?.message, 'boom')
  await listener.close()
})

test('a peer that does not read its responses stops being read (back-pressure), then resumes', async () => {
  let calls = 0
  const big = Buffer.alloc(1 << 20, 1)
  const { listener, socket } = await start(() => {
    calls++
    return reply(big)
  })
  socket.pause() // the client reads nothing
  const request = frame(Buffer.from('x'))
  // Send requests one write at a time until the server stops calling the handler for a while.
  let sent = 0
  let server = [...listener.sessions][0]
  while (server === undefined) {
    await new Promise((r) => setImmediate(r))
    server = [...listener.sessions][0]
  }
  while (!server.socket.isPaused()) {
    socket.write(request)
    sent++
    await new Promise((r) => setImmediate(r))
  }
  const callsWhenPaused = calls
  assert.ok(sent >= callsWhenPaused)
  // Once the client reads, every request gets its response.
  const responses = readFrames(socket, sent)
  socket.resume()
  assert.equal((await responses).length, sent)
  assert.equal(calls, sent)
  socket.destroy()
  await listener.close()
})

test('a client that half-closes after its requests still gets every response, then the connection closes', async () => {
  const { listener, socket } = await start((f) => Promise.resolve(reply(f)), 1 << 20)
  const large = Buffer.alloc(200_000, 7) // read into its own buffer (frame-reader.ts), not the scratch one
  const responses = readFrames(socket, 3)
  socket.end(Buffer.concat([frame(Buffer.from('one')), frame(large), frame(Buffer.from('three'))]))
  const [one, big, three] = await responses
  assert.equal(one, 'one')
  assert.equal(big, large.toString())
  assert.equal(three, 'three')
  await once(socket, 'close')
  // The broker's side closes too (its 'close' may come a moment after the client's).
  for (let i = 0; i < 200 && listener.sessions.size > 0; i++) await new Promise((r) => setTimeout(r, 5))
  assert.equal(listener.sessions.size, 0)
  await listener.close()
})

test('listener.close() resolves once every connection is gone (the server counts the re-made sockets)', async () => {
  const { listener, socket } = await start((f) => reply(f))
  const responses = readFrames(socket, 1)
  socket.write(frame(Buffer.from('x')))
  await responses
  await listener.close()
  await once(socket, 'close')
})
