import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '@samsa/storage'
import { silentLogger } from '../../logger.ts'
import { MemoryCoordinatorLog } from './coordinator-log.ts'
import { CoordinatorRuntime, partitionForKey, type RuntimeTimers } from './coordinator-runtime.ts'

/** A shard that counts per key; records are "key=count" strings. */
class CounterShard {
  readonly counts = new Map<string, number>()
  readonly timers: RuntimeTimers<string>
  constructor(timers: RuntimeTimers<string>) {
    this.timers = timers
  }
  replay(record: string): void {
    const [key, count] = record.split('=') as [string, string]
    this.counts.set(key, Number(count))
  }
}

const codec = {
  encode: (r: string) => ({ key: Buffer.from(r.split('=')[0] as string), value: Buffer.from(r) }),
  decode: (_key: Buffer, value: Buffer | null) => (value === null ? null : value.toString()),
}

function runtime(log: MemoryCoordinatorLog, clock: ManualClock) {
  return new CoordinatorRuntime<CounterShard, string>({
    name: 'test coordinator',
    log,
    codec,
    clock,
    logger: silentLogger,
    numPartitions: () => 4,
    createShard: (_partition, timers) => new CounterShard(timers),
  })
}

test('operations append their records, replay them, then deliver; a restart replays the partition', async () => {
  const log = new MemoryCoordinatorLog()
  const clock = new ManualClock(1000)
  const rt = runtime(log, clock)
  const order: string[] = []
  const increment = (key: string) =>
    rt.run(key, (shard) => {
      const next = (shard.counts.get(key) ?? 0) + 1
      // Nothing is applied before the records are durable.
      assert.equal(shard.counts.get(key) ?? 0, next - 1)
      return { records: [`${key}=${next}`], response: next, then: [() => order.push(`delivered ${key}=${next}`)] }
    })
  assert.equal(await increment('group-a'), 1)
  assert.equal(await increment('group-a'), 2)
  assert.equal(await increment('group-b'), 1)
  assert.ok(log.topicExists)
  assert.deepEqual(order, ['delivered group-a=1', 'delivered group-a=2', 'delivered group-b=1'])
  assert.deepEqual(
    log.partitions
      .get(partitionForKey('group-a', 4))
      ?.slice(0, 2)
      .map((r) => ('value' in r ? r.value?.toString() : 'marker')),
    ['group-a=1', 'group-a=2'],
  )

  const restarted = runtime(log, clock)
  const shard = await restarted.shardFor('group-a')
  assert.equal(shard.counts.get('group-a'), 2)
})

test('timers run as operations of their shard; rescheduling a key replaces it, close cancels all', async () => {
  const log = new MemoryCoordinatorLog()
  const clock = new ManualClock(0)
  const rt = runtime(log, clock)
  const shard = await rt.shardFor('g')
  const fired: number[] = []
  shard.timers.schedule('expire', 100, (now) => {
    fired.push(now)
    return { records: ['g=42'], response: undefined }
  })
  shard.timers.schedule('expire', 200, (now) => {
    fired.push(now)
    return { records: ['g=7'], response: undefined }
  })
  clock.advance(150)
  assert.equal(fired.length, 0)
  clock.advance(100)
  assert.deepEqual(fired, [200])
  assert.equal(shard.counts.get('g'), 7)
  shard.timers.schedule('later', 10, (now) => {
    fired.push(-now)
    return { records: [], response: undefined }
  })
  rt.close()
  clock.advance(100)
  assert.deepEqual(fired, [200])
})

test("keys map to partitions as Kafka's abs(String.hashCode) % n does", () => {
  assert.equal(partitionForKey('', 50), 0)
  assert.equal(partitionForKey('a', 50), 97 % 50)
  // "group".hashCode() in Java is 98629247.
  assert.equal(partitionForKey('group', 50), 98629247 % 50)
})
