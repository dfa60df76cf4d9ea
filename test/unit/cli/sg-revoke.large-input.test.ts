import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFindings } from '../../bench/dry-run';
import { runCli } from './run-cli';

// Inputs over 4 MiB go to worker threads; the first run may also build dist/.
jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-revoke-cli-large-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sg-revoke plan: a large JSONL input, planned on worker threads', () => {
  const withoutTime = (records: Record<string, unknown>[]) => records.map(({ time_ms: _, ...rest }) => rest);
  let file: string;

  beforeAll(async () => {
    file = join(dir, 'large.jsonl');
    await generateFindings(file, 2_400);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1_199] = '{"class_uid": 2004,';
    lines[2_000] = 'not json';
    writeFileSync(file, lines.join('\n'));
  });

  it('writes the same records, in the same order, as the main thread alone', () => {
    const threads = runCli(['plan', file], { env: { SG_REVOKE_WORKERS: '2' } });
    const single = runCli(['plan', file], { env: { SG_REVOKE_WORKERS: '0' } });

    expect(threads.code).toBe(0);
    expect(threads.records).toHaveLength(2_398);
    expect(withoutTime(threads.records)).toEqual(withoutTime(single.records));
  });

  it('reports malformed lines with their line numbers in the whole file', () => {
    const run = runCli(['plan', file], { env: { SG_REVOKE_WORKERS: '2' } });

    expect(run.events.map((e) => e.line)).toEqual([1_200, 2_001]);
  });

  it('streams stdin the same way', () => {
    const run = runCli(['plan'], { input: readFileSync(file, 'utf8'), env: { SG_REVOKE_WORKERS: '2' } });

    expect(run.records).toHaveLength(2_398);
    expect(run.records[2_397]?.finding_uid).toBe('asg-b0b000000000095f');
  });
});

describe('sg-revoke plan: a line over 8 MiB', () => {
  it('is logged as malformed and skipped, on the main thread and on workers alike', () => {
    // Arrange
    const file = join(dir, 'overlong.jsonl');
    const sample = readFileSync('events/findings.ocsf.jsonl', 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, `${sample[0]}\n{"x":"${'y'.repeat(9 << 20)}"}\n${sample[1]}\n`);

    // Act
    const runs = ['0', '2'].map((workers) => runCli(['plan', file], { env: { SG_REVOKE_WORKERS: workers } }));

    // Assert
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.records.map((r) => r.finding_uid)).toEqual(['asg-11f2f83f01e65ee8', 'asg-fc0dff4a251305ae']);
      expect(
        run.events.filter((e) => e.event === 'json_parse_failed').map((e) => [e.line, e.message]),
      ).toEqual([[2, `skipped line 2 of ${file}: not valid JSON (line is longer than 8 MiB)`]]);
    }
  });
});
