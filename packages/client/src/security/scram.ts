// SCRAM (RFC 5802, with SHA-256 per RFC 7677 and SHA-512 as Kafka adds it, KIP-84): the client proves it knows the
// password without sending it, and checks the server's signature, which proves the server holds the credential.
// Kafka needs no channel binding ("n,,") and normalizes nothing beyond UTF-8, so neither do we. Kafka's brokers
// refuse fewer than 4096 iterations; we refuse a server that asks for fewer (a downgrade), or for an absurd number
// (a denial of service on the client's CPU).

import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto'
import { promisify } from 'node:util'

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

const HASHES: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
}

export const SCRAM_MIN_ITERATIONS = 4096
export const SCRAM_MAX_ITERATIONS = 16384

const pbkdf2Async = promisify(pbkdf2)

/** Hi(password, salt, iterations) of RFC 5802: PBKDF2 with HMAC and the hash's output length. */
export function saltedPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  const { hash, bytes } = HASHES[mechanism]
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, bytes, hash)
}

export class ScramError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScramError'
  }
}

/** One SCRAM exchange, client side: firstMessage(), then finalMessage(serverFirst), then verify(serverFinal). */
export class ScramClient {
  readonly #mechanism: ScramMechanism
  readonly #password: string
  readonly #clientFirstBare: string
  readonly #clientNonce: string
  #expectedServerSignature: Buffer | null = null

  /** `clientNonce` is for tests replaying a known exchange; by default 24 random bytes, base64. */
  constructor(mechanism: ScramMechanism, username: string, password: string, clientNonce?: string) {
    this.#mechanism = mechanism
    this.#password = password
    this.#clientNonce = clientNonce ?? randomBytes(24).toString('base64')
    this.#clientFirstBare = `n=${saslName(username)},r=${this.#clientNonce}`
  }

  firstMessage(): Buffer {
    return Buffer.from(`n,,${this.#clientFirstBare}`, 'utf8')
  }

  async finalMessage(serverFirstBytes: Buffer): Promise<Buffer> {
    const serverFirst = serverFirstBytes.toString('utf8')
    const fields = parseFields(serverFirst)
    const nonce = fields.get('r')
    const salt = fields.get('s')
    const iterations = Number(fields.get('i'))
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) {
      throw new ScramError(`the server's first message is malformed: ${JSON.stringify(serverFirst)}`)
    }
    if (!nonce.startsWith(this.#clientNonce) || nonce.length === this.#clientNonce.length) {
      throw new ScramError("the server's nonce does not extend the client's")
    }
    if (iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
      throw new ScramError(`the server asks for ${iterations} iterations, outside [4096, 16384]`)
    }
    const { hash } = HASHES[this.#mechanism]
    const salted = await saltedPassword(this.#mechanism, this.#password, Buffer.from(salt, 'base64'), iterations)
    const clientFinalWithoutProof = `c=biws,r=${nonce}` // biws = base64("n,,"): no channel binding
    const authMessage = `${this.#clientFirstBare},${serverFirst},${clientFinalWithoutProof}`
    const clientKey = hmac(hash, salted, 'Client Key')
    const storedKey = createHash(hash).update(clientKey).digest()
    const clientSignature = hmac(hash, storedKey, authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] as number) ^ (clientSignature[i] as number)
    this.#expectedServerSignature = hmac(hash, hmac(hash, salted, 'Server Key'), authMessage)
    return Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8')
  }

  verify(serverFinalBytes: Buffer): void {
    const fields = parseFields(serverFinalBytes.toString('utf8'))
    const error = fields.get('e')
    if (error !== undefined) throw new ScramError(`the server refused the proof: ${error}`)
    const signature = fields.get('v')
    const expected = this.#expectedServerSignature
    if (signature === undefined || expected === null || !Buffer.from(signature, 'base64').equals(expected)) {
      throw new ScramError("the server's signature does not match: it does not hold this user's credential")
    }
  }
}

function hmac(hash: string, key: Buffer, text: string): Buffer {
  return createHmac(hash, key).update(text, 'utf8').digest()
}

/** RFC 5802 §5.1: "=" and "," in a user name are escaped as =3D and =2C. */
function saslName(username: string): string {
  return username.replaceAll('=', '=3D').replaceAll(',', '=2C')
}

/** `a=1,b=2` attribute lists; the value keeps any "=" after the first. */
function parseFields(message: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const part of message.split(',')) {
    const at = part.indexOf('=')
    if (at === 1) fields.set(part.slice(0, 1), part.slice(2))
  }
  return fields
}
