import { logEvent } from './log-event';
import type { CliIo } from './plan-command';

/** Record statuses that always fail a run (exit 1), whatever `--fail-on` adds. */
const FAILING = ['failure', 'unreachable'] as const;

export interface Malformed {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * What a run read and wrote, for the end-of-run summary on stderr and the exit code. The stderr
 * events use the original skill's names where it has one (`json_parse_failed`,
 * `wrong_source_skill`), with this project's fields (file, line) added.
 */
export class RunReport {
  private read = 0;
  private malformedLines = 0;
  private readonly statuses = new Map<string, number>();

  constructor(
    private readonly io: Pick<CliIo, 'stderr' | 'env'>,
    private readonly failOn: ReadonlySet<string> = new Set(),
  ) {}

  /** One record written; a finding of another producer is also named on stderr. */
  record(status: string, where: { file: string; line: number }, detail?: string): void {
    this.count(status, 1);
    if (status === 'skipped_wrong_source') this.wrongSource(where, detail ?? '');
  }

  /** Counts of records written elsewhere (a worker thread), merged in. */
  count(status: string, n: number): void {
    this.read += n;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + n);
  }

  wrongSource(where: { file: string; line: number }, detail: string): void {
    const message = `skipped line ${where.line} of ${where.file}: not a finding of detect-aws-open-security-group (${detail})`;
    logEvent(this.io.stderr, this.io.env, 'warning', 'wrong_source_skill', message, { ...where });
  }

  malformed(m: Malformed): void {
    this.malformedLines += 1;
    const message = `skipped line ${m.line} of ${m.file}: not valid JSON (${m.message})`;
    logEvent(this.io.stderr, this.io.env, 'warning', 'json_parse_failed', message, {
      file: m.file,
      line: m.line,
    });
  }

  /** Exit 1 when a record is failure or unreachable, or has a status named by `--fail-on`. */
  failed(): boolean {
    return [...this.statuses.keys()].some(
      (status) => (FAILING as readonly string[]).includes(status) || this.failOn.has(status),
    );
  }

  /** The end-of-run summary: findings read, records by status, malformed lines. */
  summarize(): void {
    const byStatus = Object.fromEntries([...this.statuses].sort(([a], [b]) => a.localeCompare(b)));
    const parts = Object.entries(byStatus).map(([status, n]) => `${n} ${status}`);
    const message =
      `read ${this.read} finding(s)` +
      (parts.length > 0 ? `: ${parts.join(', ')}` : '') +
      `; ${this.malformedLines} malformed line(s) skipped`;
    logEvent(this.io.stderr, this.io.env, 'info', 'run_summary', message, {
      read: this.read,
      malformed: this.malformedLines,
      statuses: byStatus,
    });
  }
}
