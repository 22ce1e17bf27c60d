export * from './types.ts'
export { uniformAssignor } from './uniform.ts'
export { rangeAssignor } from './range.ts'

import { rangeAssignor } from './range.ts'
import type { ServerAssignor } from './types.ts'
import { uniformAssignor } from './uniform.ts'

/** The assignors this broker offers, by name ('uniform' first: Kafka's default). */
export const defaultServerAssignors: ReadonlyMap<string, ServerAssignor> = new Map([
  [uniformAssignor.name, uniformAssignor],
  [rangeAssignor.name, rangeAssignor],
])
