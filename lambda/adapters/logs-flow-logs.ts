import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { FlowLogAnswer, FlowLogQuery, FlowLogs } from '../core/ports';
import { describeAwsError } from './aws-errors';

export interface PollOptions {
  /** Between two GetQueryResults calls. */
  readonly intervalMs: number;
  readonly nowMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const DEFAULT_POLL: PollOptions = {
  intervalMs: 1_000,
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Statuses after which a query will never complete. */
const ENDED = new Set(['Failed', 'Cancelled', 'Timeout', 'Unknown']);

/**
 * Logs Insights over the deployment's VPC Flow Logs group: StartQuery, then GetQueryResults until
 * `Complete`, within the caller's deadline. A query still running at the deadline is stopped (it
 * would keep scanning, and costing, for up to an hour) and reported unavailable; nothing throws.
 */
export class LogsFlowLogs implements FlowLogs {
  private readonly poll: PollOptions;
  readonly logGroup: string;
  readonly region: string;
  readonly days: number;

  constructor(
    private readonly client: CloudWatchLogsClient,
    group: { readonly logGroup: string; readonly region: string; readonly days: number },
    poll: Partial<PollOptions> = {},
  ) {
    this.logGroup = group.logGroup;
    this.region = group.region;
    this.days = group.days;
    this.poll = { ...DEFAULT_POLL, ...poll };
  }

  async run(query: FlowLogQuery): Promise<FlowLogAnswer> {
    let queryId: string | undefined;
    try {
      const started = await this.client.send(
        new StartQueryCommand({
          logGroupName: this.logGroup,
          queryString: query.queryString,
          startTime: query.startTime,
          endTime: query.endTime,
          limit: query.limit,
        }),
      );
      queryId = started.queryId;
      if (!queryId) return { kind: 'unavailable', reason: 'StartQuery returned no query id' };
      return await this.waitFor(queryId, query.deadlineMs);
    } catch (error) {
      if (queryId) await this.stop(queryId);
      return { kind: 'unavailable', reason: `Logs Insights: ${describeAwsError(error)}` };
    }
  }

  private async waitFor(queryId: string, deadlineMs: number): Promise<FlowLogAnswer> {
    for (;;) {
      const out = await this.client.send(new GetQueryResultsCommand({ queryId }));
      const status = out.status ?? 'Unknown';
      if (status === 'Complete') return { kind: 'complete', results: out.results ?? [] };
      if (ENDED.has(status)) return { kind: 'unavailable', reason: `the query ended ${status}` };
      if (this.poll.nowMs() + this.poll.intervalMs > deadlineMs) {
        await this.stop(queryId);
        return { kind: 'unavailable', reason: `the query was still ${status} at its deadline: stopped` };
      }
      await this.poll.sleep(this.poll.intervalMs);
    }
  }

  /** Best effort: a query that cannot be stopped ends by itself; the preview already says unavailable. */
  private async stop(queryId: string): Promise<void> {
    try {
      await this.client.send(new StopQueryCommand({ queryId }));
    } catch {
      // Nothing more can be done: StopQuery fails only for a query that has already ended.
    }
  }
}
