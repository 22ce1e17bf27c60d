// Bad input against a running broker: ≥ 100,000 mutated requests (schema-derived requests of every API at every
// version the broker advertises, plus real kafkajs request bytes, with bytes flipped, cut, inserted and length
// fields corrupted) sent over real sockets. The broker must not crash, its memory must stay bounded, and a normal
// client must be served correctly afterwards. Connections the broker closes (as Kafka does on a malformed
// request) count the request that caused it; requests queued behind it on that connection are not counted.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { Connection } from '@samsa/net'
import { ApiVersions, apiByKey, buildRecordBatch, encodeRequestFrame, isFlexible } from '@samsa/protocol'
import { structArbitrary, xorshift32 } from '@samsa/protocol/testing'
import { createTopics, fetchAllBatches, produceBatch, startBrokerProcess } from '../index.ts'

const REQUESTS = Number(process.env.SAMSA_BROKER_FUZZ_REQUESTS ?? 100_000)
const SEED = Number(process.env.SAMSA_FUZZ_SEED ?? 20261125)
const FRAMES_PER_CONNECTION = 32
const CONNECTIONS_IN_PARALLEL = 4

/** Valid request frames (size prefix included) for every advertised (api, version), several per pair. */
async function seedFrames(host: string, port: number): Promise<Buffer[]> {
  const conn = await Connection.connect({ host, port })
  const versions = await conn.request(
    ApiVersions,
    3,
    ApiVersions.request.make({ clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
  )
  await conn.close()
  const frames: Buffer[] = []
  for (const range of versions.apiKeys) {
    const api = apiByKey(range.apiKey)
    if (api === undefined) continue
    for (let v = range.minVersion; v <= range.maxVersion; v++) {
      const samples = fc.sample(structArbitrary(api.request.struct, v, isFlexible(api, v)), {
        numRuns: 3,
        seed: SEED + range.apiKey * 100 + v,
      })
      samples.forEach((body, i) => {
        try {
          frames.push(Buffer.concat(encodeRequestFrame(api, v, { correlationId: i, clientId: 'fuzz' }, body as never)))
        } catch {
          // an arbitrary value that this version cannot carry (e.g. a non-default field absent from it)
        }
      })
    }
  }
  return frames
}

function mutate(frame: Buffer, rand: () => number): Buffer {
  const buf = Buffer.from(frame)
  const kind = rand() % 6
  const at = 4 + (rand() % Math.max(1, buf.length - 4))
  switch (kind) {
    case 0: // flip a few bytes of the header or body
      for (let i = 0, n = 1 + (rand() % 4); i < n; i++) buf[4 + (rand() % Math.max(1, buf.length - 4))] = rand() & 0xff
      return buf
    case 1: {
      // cut the body short and fix the size prefix so the frame itself is well-formed
      const cut = buf.subarray(0, at)
      cut.writeInt32BE(cut.length - 4, 0)
      return cut
    }
    case 2: // a length or count field turned huge or negative
      if (at + 4 <= buf.length) buf.writeInt32BE(rand() & 1 ? 0x7fffffff : -2 - (rand() % 1000), at)
      return buf
    case 3: {
      // inserted garbage
      const junk = Buffer.from(Array.from({ length: 1 + (rand() % 16) }, () => rand() & 0xff))
      const out = Buffer.concat([buf.subarray(0, at), junk, buf.subarray(at)])
      out.writeInt32BE(out.length - 4, 0)
      return out
    }
    case 4: // an unknown or unadvertised api key / version
      buf.writeInt16BE(rand() & 1 ? rand() % 100 : buf.readInt16BE(4), 4)
      buf.writeInt16BE((rand() % 40) - 3, 6)
      return buf
    default: // a size prefix that disagrees with the bytes (the connection must not wait forever for them)
      buf.writeInt32BE(Math.max(0, buf.length - 4 - 1 - (rand() % 8)), 0)
      return buf
  }
}

/** Sends frames on one connection; resolves with how many requests the broker processed (answered or closed on). */
function sendBatch(host: string, port: number, frames: Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    let responses = 0
    let pending = Buffer.alloc(0)
    const socket = createConnection({ host, port })
    const done = (closedByBroker: boolean): void => {
      socket.destroy()
      resolve(Math.min(frames.length, responses + (closedByBroker ? 1 : 0)))
    }
    // Requests with a short size prefix leave the broker waiting for bytes that never come: give up after 2 s.
    const timer = setTimeout(() => done(false), 2000)
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        pending = pending.subarray(4 + pending.readInt32BE(0))
        responses++
      }
      if (responses >= frames.length) {
        clearTimeout(timer)
        done(false)
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      done(true)
    })
    socket.write(Buffer.concat(frames))
  })
}

test(
  `${REQUESTS.toLocaleString('en-US')} mutated requests: the broker survives, memory stays bounded, a normal client is served`,
  { timeout: 600_000 },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-fuzz-'))
    const broker = await startBrokerProcess({ dataDir, stdio: 'ignore' })
    try {
      const seeds = await seedFrames(broker.host, broker.port)
      assert.ok(seeds.length > 100, `seed frames: ${seeds.length}`)
      const rand = xorshift32(SEED)
      let processed = 0
      let sent = 0
      let rssAfterWarmup = 0
      const worker = async (): Promise<void> => {
        while (processed < REQUESTS) {
          const frames = Array.from({ length: FRAMES_PER_CONNECTION }, () =>
            mutate(seeds[rand() % seeds.length] as Buffer, rand),
          )
          sent += frames.length
          // (not `processed += await …`: that reads `processed` before the await and loses the other workers' counts)
          const handled = await sendBatch(broker.host, broker.port, frames)
          processed += handled
          if (rssAfterWarmup === 0 && processed > REQUESTS / 10) rssAfterWarmup = broker.rssMiB()
          assert.equal(broker.child.exitCode, null, 'the broker is still running')
        }
      }
      await Promise.all(Array.from({ length: CONNECTIONS_IN_PARALLEL }, worker))
      const rssAtEnd = broker.rssMiB()
      console.log(
        `broker fuzz: ${processed} requests processed of ${sent} sent; RSS ${rssAfterWarmup.toFixed(0)} MiB after warm-up, ${rssAtEnd.toFixed(0)} MiB at the end, peak ${broker.peakRssMiB().toFixed(0)} MiB`,
      )
      assert.ok(processed >= REQUESTS)
      // Bounded: the second 90% of the run may not grow the heap without limit (a leak per request would).
      assert.ok(rssAtEnd < rssAfterWarmup + 256, `RSS grew from ${rssAfterWarmup} to ${rssAtEnd} MiB`)

      // A normal client afterwards: create, produce, read back byte-equal.
      const conn = await Connection.connect({ host: broker.host, port: broker.port })
      await createTopics(conn, [{ name: 'after-fuzz', partitions: 1 }])
      const batch = buildRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('still served') }] })
      assert.equal(await produceBatch(conn, 'after-fuzz', 0, batch), 0n)
      const [view] = await fetchAllBatches(conn, 'after-fuzz', 0)
      assert.ok(view)
      assert.deepEqual(view.bytes.subarray(61), batch.subarray(61))
      await conn.close()
    } finally {
      await broker.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  },
)
