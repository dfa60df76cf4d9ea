import { type LiveRead, type Where, whereKey, whereOf } from '../core/model';
import type { SecurityGroups } from '../core/ports';

type Target = Where & { readonly sgId: string };

/** Reads every group once per account and region, in as few describe pages as AWS allows. */
export async function readByRegion(
  groups: SecurityGroups,
  targets: readonly Target[],
): Promise<(where: Where, sgId: string) => LiveRead> {
  const cache = new GroupReads(groups);
  await cache.load(targets);
  return (where, sgId) => cache.get(where, sgId);
}

/** Group reads of one run: each group is described once, however many pages name it. */
export class GroupReads {
  private readonly reads = new Map<string, LiveRead>();
  constructor(private readonly groups: SecurityGroups) {}

  async load(targets: readonly Target[]): Promise<void> {
    const missing = new Map<string, { where: Where; ids: Set<string> }>();
    for (const t of targets) {
      if (this.reads.has(`${whereKey(t)}/${t.sgId}`)) continue;
      const entry = missing.get(whereKey(t)) ?? { where: whereOf(t), ids: new Set<string>() };
      missing.set(whereKey(t), { ...entry, ids: entry.ids.add(t.sgId) });
    }
    await Promise.all(
      [...missing.values()].map(async ({ where, ids }) => {
        for (const [id, read] of await this.groups.readGroups(where, [...ids])) {
          this.reads.set(`${whereKey(where)}/${id}`, read);
        }
      }),
    );
  }

  get(where: Where, sgId: string): LiveRead {
    return (
      this.reads.get(`${whereKey(where)}/${sgId}`) ?? {
        kind: 'error',
        message: `${sgId} missing from the describe answer`,
      }
    );
  }
}
