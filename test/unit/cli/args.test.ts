import { parseCommand } from '../../../lambda/cli/args';

describe('parseCommand', () => {
  it.each([
    [['plan'], { kind: 'plan', files: ['-'], live: false }],
    [['plan', 'a.jsonl', '-', 'b.json'], { kind: 'plan', files: ['a.jsonl', '-', 'b.json'], live: false }],
    [['plan', '--', '--odd-name.jsonl'], { kind: 'plan', files: ['--odd-name.jsonl'], live: false }],
    [['plan', '--live', 'x'], { kind: 'plan', files: ['x'], live: true }],
    [['apply', 'x.jsonl'], { kind: 'apply', files: ['x.jsonl'] }],
    [['reverify'], { kind: 'reverify', files: ['-'] }],
    [
      ['actions', 'approve', 'sgrev-1', '--incident', 'INC-1'],
      { kind: 'actions', argv: ['approve', 'sgrev-1', '--incident', 'INC-1'] },
    ],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['plan', '-h'], { kind: 'help' }],
  ])('%j → %j', (argv, command) => {
    expect(parseCommand(argv)).toEqual(command);
  });

  it.each([
    [['apply', '--live', 'x'], '`--live` is for plan; apply always reads live state'],
    [['plans'], 'unknown mode `plans`'],
    [[], 'missing mode (try `sg-revoke plan FILE`)'],
  ])('%j is a usage error', (argv, message) => {
    expect(parseCommand(argv)).toEqual({ kind: 'usage-error', message });
  });

  it('refuses an unknown flag', () => {
    const command = parseCommand(['plan', '--apply']);

    expect(command.kind === 'usage-error' && command.message).toMatch(/^Unknown option '--apply'/);
  });
});
