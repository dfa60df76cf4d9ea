import type { Action, ActionChange } from '../../../lambda/core/action';
import type { AuditRow } from '../../../lambda/core/audit';
import { ApprovalReplayError, ConflictError, InvalidCursorError } from '../../../lambda/core/errors';
import type { ActionStore, Page } from '../../../lambda/core/ports';
import type { ActionStatus } from '../../../lambda/core/state-machine';

/** The ActionStore contract in memory: conditional commits and write-once audit rows, like DynamoDB. */
export class InMemoryActionStore implements ActionStore {
  readonly actions = new Map<string, Action>();
  readonly auditRows: AuditRow[] = [];
  readonly consumed = new Set<string>();
  /** Set to make the next commit that carries an audit row fail (a broken audit table). */
  failAuditWith: Error | null = null;

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
    return structuredClone(next);
  }

  rowsOf(actionId: string): AuditRow[] {
    return this.auditRows.filter((r) => r.action_id === actionId);
  }
}
