// SaslHandshake (17): before authenticating, the client names the SASL mechanism it wants (PLAIN, SCRAM-SHA-256,
// GSSAPI, OAUTHBEARER…) and the broker answers with the mechanisms it has enabled. In v0 the SASL tokens that
// follow travel as raw size-prefixed frames outside the Kafka protocol; v1 (KIP-152) means they are wrapped in
// SaslAuthenticate requests instead, so errors can be reported in-band. The API is never flexible: clients up to
// 2.4 negotiate its version wrongly, so Kafka cannot add a flexible version without breaking them.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const SaslHandshake = api({
  key: 17,
  name: 'SaslHandshake',
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: {
    mechanism: f.string('0+'),
  },
  response: {
    errorCode: f.int16('0+'),
    mechanisms: f.array('0+', 'string'),
  },
})

export type SaslHandshakeRequest = RequestOf<typeof SaslHandshake>
export type SaslHandshakeResponse = ResponseOf<typeof SaslHandshake>
