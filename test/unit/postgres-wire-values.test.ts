/**
 * Values in PostgreSQL's text format (src/dialects/postgres/wire/text-values.ts): parameters out,
 * columns in. The round trips through the server are in test/integration/postgres-wire.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decoderFor, encodeParameter } from '../../src/dialects/postgres/wire/text-values.js';

describe('PostgreSQL text values', () => {
  it('encodes parameters as text, byte arrays as themselves, null and undefined as NULL', () => {
    assert.equal(encodeParameter('x'), 'x');
    assert.equal(encodeParameter(1.25), '1.25');
    assert.equal(encodeParameter(2n ** 70n), '1180591620717411303424');
    assert.equal(encodeParameter(true), 't');
    assert.equal(encodeParameter(false), 'f');
    assert.equal(encodeParameter(null), null);
    assert.equal(encodeParameter(undefined), null);
    assert.equal(encodeParameter(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '2024-01-02T03:04:05.006Z');
    const bytes = Buffer.from([1, 2]);
    assert.equal(encodeParameter(bytes), bytes);
    assert.equal(encodeParameter({ toJSON: () => ({ a: [true] }) }), '{"a":[true]}');
  });

  it('writes arrays as array literals, quoting every element', () => {
    assert.equal(encodeParameter([1, null, 'a"b\\c', ['x']]), '{"1",NULL,"a\\"b\\\\c",{"x"}}');
    assert.equal(encodeParameter([]), '{}');
  });

  it('leaves exact and textual types as text, and decodes the rest by type OID', () => {
    for (const oid of [25, 1043, 1700, 1082, 1083, 1114, 2950, 1186]) assert.equal(decoderFor(oid), undefined, `OID ${oid}`);
    assert.equal(decoderFor(16)!('t'), true);
    assert.equal(decoderFor(20)!('-9223372036854775808'), -9223372036854775808n);
    assert.equal(decoderFor(701)!('Infinity'), Infinity);
    assert.deepEqual(decoderFor(17)!('\\x00ff'), Buffer.from([0, 255]));
    assert.deepEqual(decoderFor(1184)!('2024-05-01 12:00:00.123456+00'), new Date('2024-05-01T12:00:00.123Z'));
    assert.deepEqual(decoderFor(1184)!('2024-05-01 17:30:00+05:30'), new Date('2024-05-01T12:00:00Z'));
    assert.deepEqual(decoderFor(1007)!('{1,NULL,{2,3}}'), [1, null, [2, 3]]);
    assert.deepEqual(decoderFor(1009)!('{"a,b","c\\"d",NULL,"NULL"}'), ['a,b', 'c"d', null, 'NULL']);
  });
});
