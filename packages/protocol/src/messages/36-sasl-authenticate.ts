// SaslAuthenticate (36): carries one opaque SASL token from client to broker and the broker's challenge or final
// token back, once a SaslHandshake v1+ has chosen the mechanism (KIP-152). The tokens may hold passwords or
// bearer tokens, so they are marked sensitive and kept out of request logs. v1 lets the broker say how long the
// authenticated session may live before the client must re-authenticate (KIP-368); v2 is the first flexible
// version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const SaslAuthenticate = api({
  key: 36,
  name: 'SaslAuthenticate',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    authBytes: f.bytes('0+', { sensitive: true }),
  },
  response: {
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+' }),
    authBytes: f.bytes('0+', { sensitive: true }),
    // 0 means the broker sets no lifetime and the client never has to re-authenticate.
    sessionLifetimeMs: f.int64('1+', { default: 0n, ignorable: true }),
  },
})

export type SaslAuthenticateRequest = RequestOf<typeof SaslAuthenticate>
export type SaslAuthenticateResponse = ResponseOf<typeof SaslAuthenticate>
