import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecideContext } from '../../../lambda/core/decide';
import { parseFinding } from '../../../lambda/core/finding';
import type { Finding, IngressRule, LiveGroup } from '../../../lambda/core/model';
import type { Cidr, Protocol } from '../../../lambda/core/permission';

export const ROOT = join(__dirname, '..', '..', '..');
export const EVENTS = join(ROOT, 'events');

/** A JSON file of events/, parsed (e.g. `findings/ssh-open.ipv4.json`). */
export function readEvent(relative: string): unknown {
  return JSON.parse(readFileSync(join(EVENTS, relative), 'utf8'));
}

/** Every line of a JSONL file of events/, parsed. */
export function readEventLines(relative: string): unknown[] {
  return readFileSync(join(EVENTS, relative), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** A finding of events/ that must be valid: the test fails loudly if it is not. */
export function findingOf(relative: string): Finding {
  const parsed = parseFinding(readEvent(relative));
  if (!parsed.ok) throw new Error(`${relative} is not a valid finding: ${parsed.error.reason}`);
  return parsed.value;
}

export const offline: DecideContext = {
  protectedIds: new Set(),
  allowedAccounts: null,
  callerAccount: null,
  live: null,
};

export function rule(
  ruleId: string,
  cidr: string | null,
  protocol: Protocol,
  fromPort: number | null,
  toPort: number | null,
): IngressRule {
  return { ruleId, protocol, fromPort, toPort, cidr: cidr as Cidr | null, source: null, description: null };
}

export function group(overrides: Partial<LiveGroup> = {}): LiveGroup {
  return {
    groupId: 'sg-0a1b2c3d4e5f60001',
    groupName: 'web-tier',
    vpcId: 'vpc-0a1b2c3d',
    tags: {},
    ingress: [],
    ...overrides,
  };
}

/** A copy of `value` with one observable's values replaced (none removes it). */
export function withObservable(value: unknown, name: string, values: readonly unknown[]): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as { observables: { name: string; value: unknown }[] };
  const rest = copy.observables.filter((o) => o.name !== name);
  copy.observables = [...rest, ...values.map((v) => ({ name, type: 'Other', value: v }))];
  return copy;
}
