// Kafka's defaults for the topic-level log settings (the broker-level `log.*` defaults they fall back to), so
// callers only state what differs: `logConfig({ retentionMs: 60_000 })`.

import type { LogConfig } from './api.ts'

/** Kafka's Long.MAX_VALUE ("never") as the nearest number that is still exact. */
export const NEVER = Number.MAX_SAFE_INTEGER

/** Kafka's "never" is Long.MAX_VALUE; anything from 2^53 up means the same here. */
export function isNever(value: number): boolean {
  return !Number.isFinite(value) || value >= NEVER
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  segmentIndexBytes: 10485760,
  indexIntervalBytes: 4096,
  retentionMs: 604800000,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze(['delete'] as const),
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  deleteRetentionMs: 86400000,
  flushMessages: NEVER,
  flushMs: NEVER,
  fileDeleteDelayMs: 60000,
})

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides }
}
