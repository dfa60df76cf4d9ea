/** The metrics reverify emits and the alarms read (lambda and infra import these names). */
export const METRICS_NAMESPACE = 'sg-revoke';
export const REVERIFY_METRICS = {
  checked: 'ReverifyChecked',
  recorded: 'ReverifyRecorded',
  confirmed: 'ReverifyConfirmed',
  drift: 'ReverifyDrift',
  unreachable: 'ReverifyUnreachable',
  /** Checks that failed (a store or publish error): each one is alarmed. */
  checkErrors: 'ReverifyCheckErrors',
  /** A run that stopped for time; the next continues from its cursor. */
  incomplete: 'ReverifySweepIncomplete',
} as const;
