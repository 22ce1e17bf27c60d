// Test helpers for consumer groups: a broker tuned for fast group tests, and a member that records what its
// rebalance listener saw, with a way to await a condition on it without sleeping.

import { EventEmitter, once } from 'node:events'
import type { TopicPartition } from '../cluster/sharding.ts'
import { createConsumer, type Consumer, type ConsumerOptions } from '../consumer/consumer.ts'
import { startTestBroker, type TestBroker } from '../testing.ts'

/** Short session and heartbeat settings, so members that leave or die are noticed within a test's time. */
export function startGroupTestBroker(): Promise<TestBroker> {
  return startTestBroker({
    config: {
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 500,
      'group.consumer.session.timeout.ms': 3000,
      'group.consumer.min.session.timeout.ms': 1000,
      'group.consumer.heartbeat.interval.ms': 200,
      'group.consumer.min.heartbeat.interval.ms': 100,
    },
  })
}

export const fastGroupOptions = {
  sessionTimeoutMs: 3000,
  heartbeatIntervalMs: 200,
  rebalanceTimeoutMs: 5000,
  fetchMaxWaitMs: 100,
} as const

const sortKey = (p: TopicPartition) => `${p.topic}-${String(p.partition).padStart(4, '0')}`
export const names = (ps: readonly TopicPartition[]): string[] => ps.map(sortKey).sort()

export class RecordingMember {
  readonly consumer: Consumer
  readonly assignedCalls: TopicPartition[][] = []
  readonly revokedCalls: TopicPartition[][] = []
  readonly lostCalls: TopicPartition[][] = []
  readonly #changes = new EventEmitter()

  constructor(bootstrapServers: string, options: Partial<ConsumerOptions>) {
    this.consumer = createConsumer({ bootstrapServers, ...fastGroupOptions, ...options })
    this.#changes.setMaxListeners(0)
  }

  subscribe(topics: readonly string[] | RegExp): void {
    this.consumer.subscribe(topics, {
      onPartitionsAssigned: (ps) => this.#record(this.assignedCalls, ps),
      onPartitionsRevoked: (ps) => this.#record(this.revokedCalls, ps),
      onPartitionsLost: (ps) => this.#record(this.lostCalls, ps),
    })
  }

  owned(): string[] {
    return names(this.consumer.assignment())
  }

  /** Resolves after the next listener call has taken effect. */
  nextChange(): Promise<unknown> {
    return once(this.#changes, 'change')
  }

  /** Resolves once `condition` holds, checked after every listener call. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await this.nextChange()
  }

  #record(calls: TopicPartition[][], partitions: TopicPartition[]): void {
    calls.push(partitions)
    // After the listener returns the consumer updates its assignment; look once that has happened.
    setImmediate(() => this.#changes.emit('change'))
  }
}

/** Resolves once `condition` holds for the members, re-checked whenever any of them saw a rebalance event. */
export async function untilAll(members: readonly RecordingMember[], condition: () => boolean): Promise<void> {
  while (!condition()) {
    await Promise.race(members.map((m) => m.nextChange()))
  }
}
