import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputBuffers } from '../../../lambda/cli/output-buffers';
import { planBlock } from '../../../lambda/cli/plan-worker';
import { EVENTS, offline } from '../core/support';

const sample = readFileSync(join(EVENTS, 'findings.ocsf.jsonl'), 'utf8').split('\n').filter(Boolean);
const recordsOf = (output: Uint8Array) =>
  Buffer.from(output)
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('planBlock (one worker-thread job)', () => {
  it('plans every line of a block in order, numbering lines within the block', () => {
    // Arrange
    const block = Buffer.from([sample[0], 'not json', '', `${sample[4]}\r`, sample[7]].join('\n'));

    // Act
    const result = planBlock(7, block, offline, () => 42);

    // Assert
    expect(result.seq).toBe(7);
    expect(recordsOf(result.output).map((r) => [r.finding_uid, r.status, r.time_ms])).toEqual([
      ['asg-11f2f83f01e65ee8', 'planned', 42],
      ['asg-84d2e0862a9d8f5b', 'would-violate-protected-sg', 42],
      ['asg-cf04cb026fbadf0b', 'skipped_invalid_finding', 42],
    ]);
    expect(result.malformed.map((m) => m.line)).toEqual([2]);
    expect(result.lines).toBe(5);
    expect(result.statuses).toEqual({
      planned: 1,
      'would-violate-protected-sg': 1,
      skipped_invalid_finding: 1,
    });
    expect(result.wrongSource).toEqual([]);
    expect(Buffer.from(result.output).toString().endsWith('}\n')).toBe(true);
  });

  it('names each finding of another producer with its line in the block', () => {
    const other = JSON.stringify({ class_uid: 2003 });
    const result = planBlock(0, Buffer.from(`${sample[0]}\n${other}\n`), offline, () => 0);

    expect(result.wrongSource).toEqual([{ line: 2, reason: 'class_uid is 2003, expected 2004' }]);
    expect(result.statuses).toEqual({ planned: 1, skipped_wrong_source: 1 });
  });

  it('writes its output into a reused buffer once the main thread gives it back', () => {
    const buffers = new OutputBuffers();
    const first = planBlock(0, Buffer.from(`${sample[0]}\n`), offline, () => 0, buffers);

    buffers.give(first.output.buffer as ArrayBuffer);
    const second = planBlock(1, Buffer.from(`${sample[1]}\n`), offline, () => 0, buffers);

    expect(first.output.byteOffset).toBe(0);
    expect(second.output.buffer).toBe(first.output.buffer);
    expect(recordsOf(second.output).map((r) => r.finding_uid)).toEqual(['asg-fc0dff4a251305ae']);
  });

  it('reports a line over 8 MiB as malformed without parsing it', () => {
    const block = Buffer.from(`${sample[0]}\n{"x":"${'y'.repeat(9 << 20)}"}\n${sample[1]}\n`);

    const result = planBlock(0, block, offline, () => 0);

    expect(result.malformed).toEqual([{ line: 2, message: 'line is longer than 8 MiB' }]);
    expect(recordsOf(result.output)).toHaveLength(2);
  });

  it('counts a failure record (exit 1) and writes nothing for a block of blank lines', () => {
    const failing = planBlock(
      0,
      Buffer.from(sample[0]!),
      { ...offline, live: { kind: 'error', message: 'denied' } },
      () => 0,
    );
    const blank = planBlock(1, Buffer.from('\n\n'), offline, () => 0);

    expect(failing.statuses).toEqual({ failure: 1 });
    expect([blank.output.length, blank.malformed, blank.lines]).toEqual([0, [], 2]);
  });
});

describe('planBlock: text that is not ASCII', () => {
  it('decodes UTF-8 lines intact', () => {
    const finding = JSON.parse(sample[0]!) as { observables: { name: string; value: string }[] };
    for (const o of finding.observables) if (o.name === 'actor.name') o.value = 'Zoë 🛡';

    const result = planBlock(0, Buffer.from(`${JSON.stringify(finding)}\n`), offline, () => 0);

    expect(recordsOf(result.output).map((r) => (r.target as { actor: string }).actor)).toEqual(['Zoë 🛡']);
  });
});
