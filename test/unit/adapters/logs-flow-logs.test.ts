import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { LogsFlowLogs } from '../../../lambda/adapters/logs-flow-logs';
import type { FlowLogQuery } from '../../../lambda/core/ports';

const logsMock = mockClient(CloudWatchLogsClient);
const QUERY_ID = '12ab3456-12ab-123a-789e-1234567890ab';

beforeEach(() => logsMock.reset());

/** A clock that moves only when the adapter sleeps, so the deadline is reached deterministically. */
function adapter() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const flowLogs = new LogsFlowLogs(
    new CloudWatchLogsClient({ region: 'us-east-1' }),
    { logGroup: '/vpc/flow-logs', region: 'us-east-1', days: 7 },
    {
      intervalMs: 1_000,
      nowMs: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  );
  return { flowLogs, sleeps, deadline: (ms: number) => now + ms };
}

const query = (deadlineMs: number): FlowLogQuery => ({
  queryString: 'fields srcAddr | limit 100',
  startTime: 1_764_000_000,
  endTime: 1_764_604_800,
  limit: 100,
  deadlineMs,
});

const ROWS = [
  [
    { field: 'srcAddr', value: '203.0.113.10' },
    { field: 'flows', value: '4' },
  ],
];

describe('LogsFlowLogs.run', () => {
  it('starts the query on the log group, polls while Running, and returns the rows once Complete', async () => {
    logsMock.on(StartQueryCommand).resolves({ queryId: QUERY_ID });
    logsMock
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled', results: [] })
      .resolvesOnce({ status: 'Running', results: [] })
      .resolvesOnce({ status: 'Complete', results: ROWS });
    const { flowLogs, sleeps, deadline } = adapter();

    const answer = await flowLogs.run(query(deadline(10_000)));

    expect(answer).toEqual({ kind: 'complete', results: ROWS });
    expect(logsMock.commandCalls(StartQueryCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/vpc/flow-logs',
      queryString: 'fields srcAddr | limit 100',
      startTime: 1_764_000_000,
      endTime: 1_764_604_800,
      limit: 100,
    });
    expect(logsMock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { queryId: QUERY_ID },
      { queryId: QUERY_ID },
      { queryId: QUERY_ID },
    ]);
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(logsMock.commandCalls(StopQueryCommand)).toHaveLength(0);
  });

  it('stops a query still running at its deadline and reports it unavailable', async () => {
    logsMock.on(StartQueryCommand).resolves({ queryId: QUERY_ID });
    logsMock.on(GetQueryResultsCommand).resolves({ status: 'Running', results: ROWS });
    logsMock.on(StopQueryCommand).resolves({ success: true });
    const { flowLogs, sleeps, deadline } = adapter();

    const answer = await flowLogs.run(query(deadline(3_500)));

    expect(answer).toEqual({
      kind: 'unavailable',
      reason: 'the query was still Running at its deadline: stopped',
    });
    expect(sleeps).toEqual([1_000, 1_000, 1_000]);
    expect(logsMock.commandCalls(StopQueryCommand).map((c) => c.args[0].input)).toEqual([
      { queryId: QUERY_ID },
    ]);
  });

  it.each(['Failed', 'Cancelled', 'Timeout'])('a query that ended %s is unavailable', async (status) => {
    logsMock.on(StartQueryCommand).resolves({ queryId: QUERY_ID });
    logsMock.on(GetQueryResultsCommand).resolves({ status: status as 'Failed', results: [] });
    const { flowLogs, deadline } = adapter();

    expect(await flowLogs.run(query(deadline(10_000)))).toEqual({
      kind: 'unavailable',
      reason: `the query ended ${status}`,
    });
  });

  it('an AWS error is unavailable with its code (StartQuery denied), never thrown', async () => {
    logsMock.on(StartQueryCommand).rejects(
      new CloudWatchLogsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'not authorized to perform logs:StartQuery',
      }),
    );
    const { flowLogs, deadline } = adapter();

    expect(await flowLogs.run(query(deadline(10_000)))).toEqual({
      kind: 'unavailable',
      reason: 'Logs Insights: AccessDeniedException: not authorized to perform logs:StartQuery',
    });
  });

  it('a GetQueryResults error stops the started query', async () => {
    logsMock.on(StartQueryCommand).resolves({ queryId: QUERY_ID });
    logsMock.on(GetQueryResultsCommand).rejects(new Error('socket hang up'));
    logsMock.on(StopQueryCommand).rejects(new Error('already ended'));
    const { flowLogs, deadline } = adapter();

    expect(await flowLogs.run(query(deadline(10_000)))).toEqual({
      kind: 'unavailable',
      reason: 'Logs Insights: socket hang up',
    });
    expect(logsMock.commandCalls(StopQueryCommand)).toHaveLength(1);
  });
});
