import { cdkJsonContext } from '../../infra/lib/sg-revoke-app';

/**
 * The deployment the infra tests synthesize: cdk.json's feature flags plus synthetic values for the
 * keys a deployer must give (cdk.json ships none of them, so a real synth without `-c` fails).
 */
export const SYNTHETIC_DEPLOYMENT = {
  allowedAccountIds: ['111122223333'],
  protectedIds: ['sg-0123456789abcdef0'],
  approverPrincipals: ['arn:aws:sts::111122223333:assumed-role/sg-revoke-approver/*'],
  viewerPrincipals: [],
  findingPublisherPrincipals: ['arn:aws:iam::111122223333:role/detect-aws-open-security-group'],
} as const;

/** cdk.json's context, the synthetic deployment, then the test's own overrides. */
export function testContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...cdkJsonContext(), ...SYNTHETIC_DEPLOYMENT, ...overrides };
}
