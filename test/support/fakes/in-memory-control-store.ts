import type { AuditRow } from '../../../lambda/core/audit';
import { type ControlStore, NOT_PAUSED, type PauseState, type Versioned } from '../../../lambda/core/limits';

/** The control items in memory, with the adapter's versioned conditional writes. */
export class InMemoryControlStore implements ControlStore {
  pause: Versioned<PauseState> = { value: NOT_PAUSED, version: 0 };
  readonly stamps = new Map<string, Versioned<readonly number[]>>();
  readonly operatorRows: AuditRow[] = [];
  /** Set to make every read of the kill switch fail (DynamoDB unreachable). */
  failReadsWith: Error | null = null;

  async readPause(): Promise<Versioned<PauseState>> {
    if (this.failReadsWith) throw this.failReadsWith;
    return structuredClone(this.pause);
  }

  async writePause(
    next: PauseState,
    audit: AuditRow,
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    if (this.pause.version !== expectedVersion) return 'conflict';
    if (this.operatorRows.some((r) => r.action_at === audit.action_at)) return 'conflict';
    this.pause = { value: structuredClone(next), version: expectedVersion + 1 };
    this.operatorRows.push(structuredClone(audit));
    return 'written';
  }

  async readStamps(key: string): Promise<Versioned<readonly number[]>> {
    if (this.failReadsWith) throw this.failReadsWith;
    return structuredClone(this.stamps.get(key) ?? { value: [], version: 0 });
  }

  async writeStamps(
    key: string,
    stamps: readonly number[],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    if ((this.stamps.get(key)?.version ?? 0) !== expectedVersion) return 'conflict';
    this.stamps.set(key, { value: [...stamps], version: expectedVersion + 1 });
    return 'written';
  }
}
