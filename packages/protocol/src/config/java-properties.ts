// A reader for Java .properties files (Kafka's server.properties and client.properties), following the rules of
// java.util.Properties.load: `#` and `!` comment lines, keys ended by the first unescaped `=`, `:` or whitespace,
// line continuations with an odd number of trailing backslashes (leading whitespace of the next line dropped),
// and the escapes \t \n \r \f \uXXXX; any other escaped character stands for itself. Later keys win.
// It lives here, beside the wire formats, because the broker (server.properties) and the client (client.properties)
// both read it and neither may import the other.

export function parseJavaProperties(text: string): Map<string, string> {
  const out = new Map<string, string>()
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = stripLeading(lines[i] as string)
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    // Join continuation lines: a line ending in an odd number of backslashes continues on the next one.
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + stripLeading(lines[++i] as string)
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1)
    const [key, value] = splitKeyValue(line)
    out.set(unescape(key), unescape(value))
  }
  return out
}

function stripLeading(s: string): string {
  return s.replace(/^[ \t\f]+/, '')
}

function endsWithContinuation(line: string): boolean {
  let n = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++
  return n % 2 === 1
}

function splitKeyValue(line: string): [string, string] {
  let i = 0
  while (i < line.length) {
    const c = line[i]
    if (c === '\\') {
      i += 2
      continue
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break
    i++
  }
  const key = line.slice(0, i)
  let j = i
  while (j < line.length && (line[j] === ' ' || line[j] === '\t' || line[j] === '\f')) j++
  if (j < line.length && (line[j] === '=' || line[j] === ':')) j++
  while (j < line.length && (line[j] === ' ' || line[j] === '\t' || line[j] === '\f')) j++
  return [key, line.slice(j)]
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c !== '\\' || i + 1 >= s.length) {
      out += c
      continue
    }
    const n = s[++i] as string
    switch (n) {
      case 't':
        out += '\t'
        break
      case 'n':
        out += '\n'
        break
      case 'r':
        out += '\r'
        break
      case 'f':
        out += '\f'
        break
      case 'u': {
        const hex = s.slice(i + 1, i + 5)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`malformed \\uxxxx escape: \\u${hex}`)
        out += String.fromCharCode(parseInt(hex, 16))
        i += 4
        break
      }
      default:
        out += n
    }
  }
  return out
}
