import fc from 'fast-check';
import { nativeSha256Hex } from '../../../lambda/cli/native-hash';
import { sha256Hex } from '../../../lambda/core/hash';

describe('nativeSha256Hex', () => {
  it('is byte-identical to the core pure-JS SHA-256 (so action ids and plan hashes match)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => nativeSha256Hex(text) === sha256Hex(text)),
      { numRuns: 500 },
    );
    expect(nativeSha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
