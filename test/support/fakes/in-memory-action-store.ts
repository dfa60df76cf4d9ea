import { entersWatch, leavesWatch } from '../../../lambda/adapters/dynamodb-check';
import type { Action, ActionChange } from '../../../lambda/core/action';
import type { AuditRow } from '../../../lambda/core/audit';
import { ApprovalReplayError, ConflictError, InvalidCursorError } from '../../../lambda/core/errors';
import type {
  ActionStore,
  CheckWrite,
  Page,
  SweepCheckpoint,
  SweepCheckpoints,
  WatchedAction,
} from '../../../lambda/core/ports';
import type { ActionStatus } from '../../../lambda/core/state-machine';

/** The ActionStore contract in memory: conditional commits and write-once audit rows, like DynamoDB. */
export class InMemoryActionStore implements ActionStore {
  readonly actions = new Map<string, Action>();
  readonly auditRows: AuditRow[] = [];
  readonly consumed = new Set<string>();
  /** Set to make the next commit that carries an audit row fail (a broken audit table). */
  failAuditWith: Error | null = null;
  /** Actions for which recordCheck throws (a broken store for one action). */
  readonly failChecksOf = new Map<string, Error>();
  /** When each action entered the watch index (as the DynamoDB adapter sets watch_since). */
  readonly watchedSince = new Map<string, string>();
  /** Writes per action: commits and recorded checks (reverify must write O(changes)). */
  readonly writes = new Map<string, number>();

  async create(action: Action): Promise<'created' | 'exists'> {
    if (this.actions.has(action.actionId)) return 'exists';
    this.actions.set(action.actionId, structuredClone(action));
    return 'created';
  }

  async get(actionId: string): Promise<Action | null> {
    const a = this.actions.get(actionId);
    return a ? structuredClone(a) : null;
  }

  async listByStatus(status: ActionStatus, limit: number, cursor: string | null): Promise<Page<Action>> {
    const all = [...this.actions.values()]
      .filter((a) => a.status === status)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.actionId.localeCompare(b.actionId));
    const start = cursor === null ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start < 0) throw new InvalidCursorError('bad cursor');
    const items = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : null;
    return { items: structuredClone(items), cursor: next };
  }

  async commit(change: ActionChange, audit: AuditRow | null, isoNow: string): Promise<Action> {
    const current = this.actions.get(change.actionId);
    if (!current || !change.from.includes(current.status)) {
      throw new ConflictError(
        `action ${change.actionId} is ${current?.status ?? 'missing'}, expected ${change.from.join('|')}`,
      );
    }
    if (change.consumes?.firstUse && this.consumed.has(change.consumes.marker)) {
      throw new ApprovalReplayError(`approval ${change.consumes.marker} was already consumed`);
    }
    if (audit) {
      if (this.failAuditWith) throw this.failAuditWith;
      if (current.auditHead !== audit.prev_hash) throw new ConflictError('audit head moved');
      if (this.auditRows.some((r) => r.sg_id === audit.sg_id && r.action_at === audit.action_at)) {
        throw new ConflictError('audit row exists');
      }
      this.auditRows.push(structuredClone(audit));
    }
    if (change.consumes) this.consumed.add(change.consumes.marker);
    const next: Action = {
      ...current,
      ...change.patch,
      status: change.to,
      updatedAt: isoNow,
      history: [...current.history, change.history],
    };
    this.actions.set(change.actionId, structuredClone(next));
    if (leavesWatch(change)) this.watchedSince.delete(change.actionId);
    else if (entersWatch(change)) this.watchedSince.set(change.actionId, isoNow);
    this.countWrite(change.actionId);
    return structuredClone(next);
  }

  async listWatched(sinceIso: string, limit: number, cursor: string | null): Promise<Page<WatchedAction>> {
    const all = [...this.watchedSince]
      .filter(([, since]) => since >= sinceIso)
      .sort(([a, x], [b, y]) => x.localeCompare(y) || a.localeCompare(b));
    const start = cursor === null ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start < 0) throw new InvalidCursorError('bad cursor');
    const items = all.slice(start, start + limit).map(([id, watchedSince]) => {
      const a = this.actions.get(id) as Action;
      return structuredClone({
        actionId: a.actionId,
        status: a.status,
        finding: a.finding,
        outcome: a.outcome,
        verification: a.verification,
        auditHead: a.auditHead,
        watchedSince,
      });
    });
    return { items, cursor: start + limit < all.length ? String(start + limit) : null };
  }

  private readonly sweepOf = new Map<string, string>();

  async recordCheck(w: CheckWrite): Promise<'recorded' | 'superseded'> {
    const failure = this.failChecksOf.get(w.actionId);
    if (failure) throw failure;
    const current = this.actions.get(w.actionId);
    if (!current || current.status !== w.status || current.auditHead !== w.auditHead) return 'superseded';
    if (this.sweepOf.get(w.actionId) === w.sweepId) return 'superseded';
    if (w.change) {
      if (this.failAuditWith) throw this.failAuditWith;
      if (w.change.audit.prev_hash !== current.auditHead) return 'superseded';
      this.auditRows.push(structuredClone(w.change.audit));
    }
    // The stored object is the store's own copy: only what comes from the caller is cloned.
    const verification = w.change
      ? structuredClone(w.change.verification)
      : current.verification && {
          ...current.verification,
          driftChecks: w.driftChecks,
          unreachableChecks: w.unreachableChecks,
        };
    const next: Action = {
      ...current,
      verification,
      auditHead: w.change ? w.change.audit.row_hash : current.auditHead,
      lastCheckedAt: w.checkedAt,
      checks: (current.checks ?? 0) + 1,
    };
    this.actions.set(w.actionId, next);
    this.sweepOf.set(w.actionId, w.sweepId);
    this.countWrite(w.actionId);
    return 'recorded';
  }

  private countWrite(actionId: string): void {
    this.writes.set(actionId, (this.writes.get(actionId) ?? 0) + 1);
  }

  rowsOf(actionId: string): AuditRow[] {
    return this.auditRows.filter((r) => r.action_id === actionId);
  }
}

export class InMemorySweepCheckpoints implements SweepCheckpoints {
  current: SweepCheckpoint | null = null;
  saves = 0;
  async load(): Promise<SweepCheckpoint | null> {
    return this.current && { ...this.current };
  }
  async save(checkpoint: SweepCheckpoint): Promise<void> {
    this.current = { ...checkpoint };
    this.saves += 1;
  }
}
