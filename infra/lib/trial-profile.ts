import { CfnResource, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { Profile } from './config';

/** The shortest waiting period KMS allows before it deletes a key. */
export const TRIAL_KEY_PENDING_DAYS = 7;

/**
 * `profile: trial`: everything the stack made goes when the stack goes. Every resource is DESTROY,
 * the tables lose their deletion protection, and the keys are deleted after KMS's shortest wait.
 *
 * Buckets are not emptied for you (no autoDeleteObjects): S3 deletes a bucket only when it is
 * empty, the audit bucket's policy denies every object delete and retention bypass to every
 * principal while the stack exists, and Object Lock keeps each version for its retention (one day
 * in GOVERNANCE; only a caller allowed `s3:BypassGovernanceRetention`, sending the bypass header,
 * deletes it sooner — CDK's auto-delete function sends no such header). The README's teardown says
 * what to run. Called last, once every resource exists; `production` changes nothing.
 */
export function applyProfile(stack: Stack, profile: Profile): void {
  if (profile !== 'trial') return;
  for (const child of stack.node.findAll()) {
    if (!(child instanceof CfnResource)) continue;
    child.applyRemovalPolicy(RemovalPolicy.DESTROY);
    if (child instanceof CfnTable) child.deletionProtectionEnabled = false;
    if (child instanceof CfnKey) child.pendingWindowInDays = TRIAL_KEY_PENDING_DAYS;
  }
}
