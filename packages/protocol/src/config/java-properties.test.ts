// java.util.Properties' reading rules, on the cases Kafka's property files actually contain.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseJavaProperties } from './java-properties.ts'

test('properties: comments, separators, escapes and continuations as java.util.Properties reads them', () => {
  const text = [
    '# a comment',
    '! another comment',
    '   ',
    'a=1',
    'b : 2',
    'c 3',
    '  d=spaced value  ',
    'e=one\\',
    '   two\\',
    '\tthree',
    'f=tab\\there\\nnew\\u0041',
    'key\\ with\\ spaces=x',
    'g=C:\\\\dir',
    'h=ends with even\\\\',
    'i=',
    'a=overridden',
  ].join('\n')
  const p = parseJavaProperties(text)
  assert.equal(p.get('a'), 'overridden')
  assert.equal(p.get('b'), '2')
  assert.equal(p.get('c'), '3')
  assert.equal(p.get('d'), 'spaced value  ')
  assert.equal(p.get('e'), 'onetwothree')
  assert.equal(p.get('f'), 'tab\there\nnewA')
  assert.equal(p.get('key with spaces'), 'x')
  assert.equal(p.get('g'), 'C:\\dir')
  assert.equal(p.get('h'), 'ends with even\\')
  assert.equal(p.get('i'), '')
  assert.equal(p.size, 10)
})
