import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGION } from '../moto/resources';
import { MOTO_ACCOUNT } from './harness';

/**
 * A sample of events/securityhub (a full EventBridge event), pointed at a real moto group of
 * `account` in the test region: the loop tests and the sandbox feed it to the plan handler as is.
 */
export function securityHubEvent(
  file: string,
  groupId: string,
  account: string = MOTO_ACCOUNT,
): Record<string, unknown> {
  const text = readFileSync(join(__dirname, '../../../events/securityhub', file), 'utf8')
    .replace(/sg-0a1b2c3d4e5f600[0-9a-f]{2}/g, groupId)
    .replace(/111122223333/g, account)
    .replace(/us-east-1/g, REGION);
  return JSON.parse(text);
}
