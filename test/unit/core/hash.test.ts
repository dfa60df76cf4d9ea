import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, sha256Hex, shortHash } from '../../../lambda/core/hash';

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    const text = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } });

    expect(text).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined members and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('escapes keys and strings as JSON does', () => {
    expect(canonicalJson({ 'k"ey': 'v\n' })).toBe('{"k\\"ey":"v\\n"}');
  });

  it('parses back to any JSON value it was given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(dict));
      }),
    );
  });
});

describe('sha256Hex and shortHash', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes of any string like node:crypto', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
    );
  });

  it('makes a prefixed 16-hex id that is the same for equal values', () => {
    const a = shortHash('sgrev', { x: 1, y: [1, 2] });
    const b = shortHash('sgrev', { y: [1, 2], x: 1 });

    expect(a).toMatch(/^sgrev-[0-9a-f]{16}$/);
    expect(b).toBe(a);
    expect(shortHash('sgrev', { x: 2, y: [1, 2] })).not.toBe(a);
  });
});
