import fc from 'fast-check';
import {
  PARTITIONS,
  parsePrincipalPattern,
  parseRoleSession,
  principalMatches,
} from '../../../lambda/core/principals';

// Small alphabets so that generated names often collide, share prefixes, or hold the separators.
const nameChar = fc.constantFrom('a', 'b', 'A', '-', '_', '.', '@', '+', '=', ',');
const roleName = fc.string({ unit: nameChar, minLength: 1, maxLength: 6 });
const sessionName = fc.string({ unit: nameChar, minLength: 2, maxLength: 8 });
const sessionGlob = fc.string({ unit: fc.oneof(nameChar, fc.constant('*')), minLength: 1, maxLength: 8 });
const account = fc.constantFrom('111122223333', '444455556666', '111122223334');
const partition = fc.constantFrom(...PARTITIONS);
const noise = fc.string({ unit: fc.oneof(nameChar, fc.constantFrom('*', '/', ':')), maxLength: 10 });

const patternText = fc.oneof(
  fc
    .tuple(partition, account, roleName, sessionGlob)
    .map(([p, a, r, s]) => `arn:${p}:sts::${a}:assumed-role/${r}/${s}`),
  fc.tuple(partition, account, roleName).map(([p, a, r]) => `arn:${p}:iam::${a}:role/${r}`),
  fc.tuple(partition, account, roleName).map(([p, a, r]) => `arn:${p}:iam::${a}:role/path/${r}`),
  // Anything at all in the resource part: whatever parses must still fix the role.
  fc
    .tuple(partition, account, noise, noise)
    .map(([p, a, x, y]) => `arn:${p}:sts::${a}:assumed-role/${x}/${y}`),
  fc.tuple(partition, account, noise).map(([p, a, x]) => `arn:${p}:iam::${a}:role/${x}`),
);

/** Caller ARNs, most of them built from the pattern's own parts, then bent: longer or shorter role names, sessions with separators, other accounts. */
const callerFor = (pattern: string) => {
  const [, p = 'aws', , , a = '', resource = ''] = pattern.split(':');
  const [, r = '', s = '*'] = resource.split('/');
  const near = <T>(value: T, other: fc.Arbitrary<T>) => fc.oneof(fc.constant(value), other);
  const role = fc.oneof(
    fc.constant(r),
    roleName.map((x) => r + x),
    roleName.map((x) => x + r),
    fc.nat(r.length).map((n) => r.slice(0, n)),
    roleName,
  );
  const session = fc.oneof(
    sessionName,
    noise.map((x) => s.replaceAll('*', x)),
  );
  return fc.oneof(
    fc
      .tuple(near(p, fc.string()), near(a, account), role, session)
      .map(([pp, aa, rr, ss]) => `arn:${pp}:sts::${aa}:assumed-role/${rr}/${ss}`),
    fc.tuple(noise).map(([x]) => pattern.replaceAll('*', x)),
    fc.string(),
  );
};

describe('principal grammar properties', () => {
  it('a matched caller always has the pattern’s exact partition, account and role name', () => {
    fc.assert(
      fc.property(
        patternText.chain((text) => fc.tuple(fc.constant(text), callerFor(text))),
        ([text, arn]) => {
          const parsed = parsePrincipalPattern(text);
          if (!parsed.ok) return;
          const pattern = parsed.value;
          if (!principalMatches(arn, [pattern])) return;
          const caller = parseRoleSession(arn);
          expect(caller).not.toBeNull();
          expect(caller?.partition).toBe(pattern.partition);
          expect(caller?.account).toBe(pattern.account);
          expect(caller?.roleName).toBe(pattern.roleName);
          expect(caller?.session).not.toMatch(/[/:]/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('an accepted pattern never has a wildcard in its account or role name', () => {
    fc.assert(
      fc.property(patternText, (text) => {
        const parsed = parsePrincipalPattern(text);
        if (!parsed.ok) return;
        expect(parsed.value.account).toMatch(/^\d{12}$/);
        expect(parsed.value.roleName).not.toContain('*');
      }),
      { numRuns: 3000 },
    );
  });

  it('`assumed-role/ROLE/*` and `role/ROLE` admit every session of ROLE', () => {
    fc.assert(
      fc.property(partition, account, roleName, sessionName, (p, a, r, s) => {
        const caller = `arn:${p}:sts::${a}:assumed-role/${r}/${s}`;
        for (const text of [`arn:${p}:sts::${a}:assumed-role/${r}/*`, `arn:${p}:iam::${a}:role/x/${r}`]) {
          const parsed = parsePrincipalPattern(text);
          expect(parsed.ok).toBe(true);
          if (parsed.ok) expect(principalMatches(caller, [parsed.value])).toBe(true);
        }
      }),
    );
  });
});
