import { z } from 'zod';
import { ORGANIZATION_ID } from '../../lambda/core/member-roles';

/**
 * The member stack's three settings, from `-c key=value` (or cdk.json context), checked at synth:
 * the template is then deployed unchanged by StackSets, so nothing is left to a parameter.
 */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const toList = (value: unknown): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

export const memberConfigSchema = z.object({
  hubAccountId: z
    .string('must be the 12-digit account id of the hub')
    .regex(/^\d{12}$/, 'must be a 12-digit account id'),
  organizationId: z
    .string('must be the AWS Organizations id (o-…)')
    .regex(ORGANIZATION_ID, 'must be an AWS Organizations id (o- + 10 to 32 lowercase letters or digits)'),
  hubRegions: z.preprocess(
    toList,
    z
      .array(z.string().regex(REGION, 'must be a region name such as us-east-1'), {
        error: 'must list the regions the hub is deployed in (a JSON array or a comma-separated list)',
      })
      .min(1, 'must list at least one region'),
  ),
});

export type MemberConfig = z.infer<typeof memberConfigSchema>;
const KEYS = Object.keys(memberConfigSchema.shape) as (keyof MemberConfig)[];

export class InvalidMemberConfigError extends Error {
  override readonly name = 'InvalidMemberConfigError';
}

/** Reads and validates the member stack's context; one error names every bad key. */
export function readMemberConfig(node: { tryGetContext(key: string): unknown }): MemberConfig {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) raw[key] = node.tryGetContext(key);
  const result = memberConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    const got = raw[key] === undefined ? 'missing' : `got ${JSON.stringify(raw[key])}`;
    return `  - ${issue.path.join('.')}: ${issue.message} (${got})`;
  });
  throw new InvalidMemberConfigError(`Invalid sg-revoke member context (-c key=value):\n${lines.join('\n')}`);
}
