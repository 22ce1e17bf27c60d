// Version ranges as Kafka's message specs write them: "0+", "3-7", "5", "none".

export interface VersionRange {
  readonly min: number
  /** Inclusive; Infinity for an open range ("3+"). An empty range ("none") has min > max. */
  readonly max: number
  readonly text: string
}

const cache = new Map<string, VersionRange>()

export function parseVersions(text: string): VersionRange {
  const hit = cache.get(text)
  if (hit) return hit
  let range: VersionRange
  if (text === 'none') range = { min: 1, max: 0, text }
  else if (/^\d+\+$/.test(text)) range = { min: Number(text.slice(0, -1)), max: Infinity, text }
  else if (/^\d+-\d+$/.test(text)) {
    const [a, b] = text.split('-').map(Number) as [number, number]
    if (a > b) throw new Error(`bad version range "${text}"`)
    range = { min: a, max: b, text }
  } else if (/^\d+$/.test(text)) range = { min: Number(text), max: Number(text), text }
  else throw new Error(`bad version range "${text}"`)
  cache.set(text, range)
  return range
}

export function inVersions(range: VersionRange | null | undefined, version: number): boolean {
  return range != null && version >= range.min && version <= range.max
}

export function isEmptyRange(range: VersionRange): boolean {
  return range.min > range.max
}

/** true when every version of `inner` is also in `outer`. */
export function isSubRange(inner: VersionRange, outer: VersionRange): boolean {
  return isEmptyRange(inner) || (inner.min >= outer.min && inner.max <= outer.max)
}
