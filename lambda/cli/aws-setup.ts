import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { messageWithCauses } from '../core/errors';
import { err, ok, type Result } from '../core/result';

const SET_CREDENTIALS =
  'set AWS_PROFILE (a profile of ~/.aws/config), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ' +
  'or log in with `aws sso login`';
const SET_REGION = 'set AWS_REGION (e.g. AWS_REGION=us-east-1), or a region in the profile';

/**
 * Checks, before any AWS call, that the SDK can find credentials (and a region when the mode
 * needs one): without them a run would fail finding by finding, or worse, half-way through.
 * One message names what to set; the caller exits 2 (a usage error, DESIGN §6).
 */
export async function checkAwsSetup(mode: string, needsRegion: boolean): Promise<Result<true, string>> {
  try {
    await fromNodeProviderChain()();
  } catch (error) {
    return err(
      `${mode} needs AWS credentials, and none were found: ${SET_CREDENTIALS} (${messageWithCauses(error)})`,
    );
  }
  if (!needsRegion) return ok(true);
  try {
    const region = await loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS)();
    if (typeof region === 'string' && region !== '') return ok(true);
  } catch {
    // No region anywhere in the chain: reported below, in the same words as an empty one.
  }
  return err(`${mode} needs an AWS region, and none is set: ${SET_REGION}`);
}
