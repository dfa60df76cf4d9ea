import { assertNever, err, ok } from '../../../lambda/core/result';

describe('Result', () => {
  it('wraps values and errors', () => {
    expect([ok(1), err('no')]).toEqual([
      { ok: true, value: 1 },
      { ok: false, error: 'no' },
    ]);
  });

  it('assertNever throws, naming what was not handled', () => {
    expect(() => assertNever({ kind: 'new' } as never, 'decision')).toThrow(
      'unhandled decision: {"kind":"new"}',
    );
  });
});
