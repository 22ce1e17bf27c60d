// The SCRAM client against RFC 7677's published SCRAM-SHA-256 exchange (user "user", password "pencil"), and the
// checks that protect it from a misbehaving server.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ScramClient, ScramError } from './scram.ts'

const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO'
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'

test('reproduces the RFC 7677 SCRAM-SHA-256 exchange byte for byte', async () => {
  const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE)
  assert.equal(client.firstMessage().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
  const final = await client.finalMessage(Buffer.from(SERVER_FIRST))
  assert.equal(
    final.toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  )
  client.verify(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))
})

test('a wrong server signature, a server error, a foreign nonce or too few iterations are refused', async () => {
  const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE)
  await client.finalMessage(Buffer.from(SERVER_FIRST))
  assert.throws(() => client.verify(Buffer.from('v=AAAA')), /signature does not match/)
  assert.throws(() => client.verify(Buffer.from('e=invalid-proof')), /refused the proof: invalid-proof/)
  const other = new ScramClient('SCRAM-SHA-512', 'user', 'pencil', CLIENT_NONCE)
  await assert.rejects(other.finalMessage(Buffer.from('r=someoneElse,s=c2FsdA==,i=4096')), ScramError)
  await assert.rejects(other.finalMessage(Buffer.from(`r=${CLIENT_NONCE}x,s=c2FsdA==,i=1024`)), /1024 iterations/)
  await assert.rejects(other.finalMessage(Buffer.from('garbage')), /malformed/)
})

test('user names escape "=" and ","', () => {
  const client = new ScramClient('SCRAM-SHA-512', 'a=b,c', 'p', 'nonce')
  assert.equal(client.firstMessage().toString(), 'n,,n=a=3Db=2Cc,r=nonce')
})
