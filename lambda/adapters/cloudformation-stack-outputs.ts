import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { awsErrorCode, translateAwsError } from './aws-errors';

/** A stack's outputs by key, with its status (a stack still being created has none yet). */
export type StackLookup =
  | { readonly kind: 'found'; readonly status: string; readonly outputs: Readonly<Record<string, string>> }
  | { readonly kind: 'not-found' };

// CloudFormation answers an unknown stack with a plain ValidationError; only its text says why.
const NOT_FOUND = /does not exist/i;

/** `DescribeStacks` of one stack, by name or id, in the client's region. */
export class CloudFormationStackOutputs {
  constructor(private readonly cloudFormation: CloudFormationClient) {}

  async lookup(stackName: string): Promise<StackLookup> {
    let answer: DescribeStacksCommandOutput;
    try {
      answer = await this.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (awsErrorCode(error) === 'ValidationError' && NOT_FOUND.test(message)) return { kind: 'not-found' };
      throw translateAwsError(error, 'DescribeStacks');
    }
    const [found] = answer.Stacks ?? [];
    if (!found) return { kind: 'not-found' };
    const outputs: Record<string, string> = {};
    for (const { OutputKey, OutputValue } of found.Outputs ?? []) {
      if (OutputKey && OutputValue !== undefined) outputs[OutputKey] = OutputValue;
    }
    return { kind: 'found', status: found.StackStatus ?? 'UNKNOWN', outputs };
  }
}
