import { Aws, CfnOutput, type Stack } from 'aws-cdk-lib';
import { STACK_OUTPUTS, type StackOutputKey } from '../../lambda/core/stack-outputs';

/**
 * The outputs a user and `sg-revoke env` read (lambda/core/stack-outputs.ts names them and the CLI
 * variable each fills). Declared on the stack itself, so each OutputKey is exactly the table's key
 * (inside a construct CDK would add a hash), and without an export: nothing else can come to depend
 * on them, so a later version may change them without being blocked by an importing stack.
 * An optional output with no value (no protected groups) is left out: CloudFormation refuses an
 * empty output value.
 */
export function addStackOutputs(
  stack: Stack,
  values: Readonly<Record<Exclude<StackOutputKey, 'Region'>, string>>,
): void {
  const all: Record<StackOutputKey, string> = { ...values, Region: Aws.REGION };
  for (const [key, { description }] of Object.entries(STACK_OUTPUTS) as [
    StackOutputKey,
    { description: string },
  ][]) {
    const value = all[key];
    if (value === '') continue;
    new CfnOutput(stack, key, { value, description });
  }
}
