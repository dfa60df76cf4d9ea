import { parseCommand } from '../../../lambda/cli/args';

describe('parseCommand', () => {
  const none = new Set();
  it.each([
    [['plan'], { kind: 'plan', files: ['-'], live: false, failOn: none }],
    [
      ['plan', 'a.jsonl', '-', 'b.json'],
      { kind: 'plan', files: ['a.jsonl', '-', 'b.json'], live: false, failOn: none },
    ],
    [
      ['plan', '--', '--odd-name.jsonl'],
      { kind: 'plan', files: ['--odd-name.jsonl'], live: false, failOn: none },
    ],
    [['plan', '--', '--help'], { kind: 'plan', files: ['--help'], live: false, failOn: none }],
    [['plan', '--live', 'x'], { kind: 'plan', files: ['x'], live: true, failOn: none }],
    [['apply', 'x.jsonl'], { kind: 'apply', files: ['x.jsonl'], failOn: none }],
    [['reverify'], { kind: 'reverify', files: ['-'], failOn: none }],
    [['reverify', '--fail-on', 'drift', 'x'], { kind: 'reverify', files: ['x'], failOn: new Set(['drift']) }],
    [
      ['plan', '--fail-on=skipped_not_public,would-violate-protected-sg'],
      {
        kind: 'plan',
        files: ['-'],
        live: false,
        failOn: new Set(['skipped_not_public', 'would-violate-protected-sg']),
      },
    ],
    [
      ['actions', 'approve', 'sgrev-1', '--incident', 'INC-1'],
      { kind: 'actions', argv: ['approve', 'sgrev-1', '--incident', 'INC-1'] },
    ],
    [['--help'], { kind: 'help', mode: null }],
    [['-h'], { kind: 'help', mode: null }],
    [['help'], { kind: 'help', mode: null }],
    [['plan', '-h'], { kind: 'help', mode: 'plan' }],
    [['apply', '--help'], { kind: 'help', mode: 'apply' }],
    [['reverify', 'x', '-h'], { kind: 'help', mode: 'reverify' }],
    [['actions', '-h'], { kind: 'help', mode: 'actions' }],
    [['actions', 'list', '--help'], { kind: 'help', mode: 'actions' }],
  ])('%j → %j', (argv, command) => {
    expect(parseCommand(argv)).toEqual(command);
  });

  it.each([
    [['apply', '--live', 'x'], '`--live` is for plan; apply always reads live state'],
    [
      ['plans'],
      'unknown mode `plans`: the mode comes first (plan, apply, reverify, actions, audit, env, pause, resume), e.g. `sg-revoke plan plans`',
    ],
    [
      ['reverify', '--fail-on', 'drfit'],
      expect.stringMatching(/^--fail-on: unknown status `drfit` \(one of planned, /),
    ],
    [[], 'missing mode (try `sg-revoke plan FILE`)'],
  ])('%j is a usage error', (argv, message) => {
    expect(parseCommand(argv)).toEqual({ kind: 'usage-error', message });
  });

  it('refuses an unknown flag', () => {
    const command = parseCommand(['plan', '--apply']);

    expect(command.kind === 'usage-error' && command.message).toMatch(/^Unknown option '--apply'/);
  });
});
