// kcat 1.7.1 (Debian bookworm, librdkafka 2.0.2) as a child process. kcat has no admin API, so its topic is
// auto-created by the broker on the first produce (the broker runs with num.partitions=3). Records are printable
// ASCII lines "key<TAB>value" (kcat's -K/-D framing), with the same headers on every record (-H).

import assert from 'node:assert/strict'
import { run } from './lib/processes.ts'
import { FIXED_HEADERS, type ConsumedRecord, type Header, type PartitionOffsets } from './lib/records.ts'
import { ALL_CODECS, compatScenario, type Step } from './lib/scenario.ts'

const KCAT = process.env.COMPAT_KCAT ?? 'kcat'

function kcat(bootstrap: string, args: string[], step: Step, input?: string): Promise<string> {
  return run(KCAT, ['-b', bootstrap, '-q', ...args], { timeoutMs: step.timeoutMs, signal: step.signal, input }).then(
    (r) => r.stdout,
  )
}

function parseHeaders(text: string): Header[] {
  if (text === '') return []
  return text.split(',').map((pair): Header => {
    const eq = pair.indexOf('=')
    assert.ok(eq > 0, `kcat header "${pair}"`)
    return [pair.slice(0, eq), Buffer.from(pair.slice(eq + 1))]
  })
}

async function queryOffsets(
  bootstrap: string,
  topic: string,
  partitions: number,
  time: -1 | -2,
  step: Step,
): Promise<Map<number, number>> {
  const args = ['-Q', '-J', ...Array.from({ length: partitions }, (_, p) => ['-t', `${topic}:${p}:${time}`]).flat()]
  const json = JSON.parse(await kcat(bootstrap, args, step)) as Record<string, Record<string, unknown>>
  const byPartition = new Map<number, number>()
  for (const [field, entry] of Object.entries(json[topic] ?? {})) {
    if (field === 'topic') continue
    const { partition, offset, err } = entry as { partition: number; offset: number; err?: string }
    assert.equal(err, undefined, `kcat -Q ${topic}:${partition}:${time}: ${err}`)
    byPartition.set(partition, offset)
  }
  return byPartition
}

compatScenario({
  client: 'kcat',
  codecs: ALL_CODECS,
  shape: { binary: false, headers: 'fixed' },
  notes: ['kcat has no admin API: no CreateTopics/DeleteTopics; kcat prints no per-record delivery offsets'],
  driver: (target) => ({
    async produce(topic, codec, records, step) {
      const lines = records.map((r) => `${r.key.toString()}\t${r.value.toString()}\n`).join('')
      const headers = FIXED_HEADERS.flatMap(([name, value]) => ['-H', `${name}=${value.toString()}`])
      await kcat(
        target.bootstrap,
        ['-P', '-t', topic, '-K', '\t', '-z', codec, '-X', 'acks=all', ...headers],
        step,
        lines,
      )
      return undefined
    },

    async consume(topic, _partitions, step) {
      // without -G kcat assigns every partition itself; -e exits once all of them reached their end
      const out = await kcat(
        target.bootstrap,
        ['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p\t%o\t%k\t%s\t%h\n'],
        step,
      )
      return out
        .split('\n')
        .filter((line) => line !== '')
        .map((line): ConsumedRecord => {
          const [p = '', o = '', key = '', value = '', headers = '', ...rest] = line.split('\t')
          assert.equal(rest.length, 0, `kcat line with extra fields: ${line.slice(0, 80)}`)
          return {
            partition: Number(p),
            offset: Number(o),
            key: Buffer.from(key),
            value: Buffer.from(value),
            headers: parseHeaders(headers),
          }
        })
    },

    async listOffsets(topic, partitions, step): Promise<PartitionOffsets[]> {
      const earliest = await queryOffsets(target.bootstrap, topic, partitions, -2, step)
      const latest = await queryOffsets(target.bootstrap, topic, partitions, -1, step)
      return [...latest].map(([partition, offset]) => ({
        partition,
        earliest: earliest.get(partition) ?? -1,
        latest: offset,
      }))
    },
  }),
})
