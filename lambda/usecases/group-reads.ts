import type { LiveRead } from '../core/model';
import type { SecurityGroups } from '../core/ports';

/** Reads every group once per region, in as few describe pages as AWS allows. */
export async function readByRegion(
  groups: SecurityGroups,
  targets: readonly { region: string; sgId: string }[],
): Promise<(region: string, sgId: string) => LiveRead> {
  const cache = new GroupReads(groups);
  await cache.load(targets);
  return (region, sgId) => cache.get(region, sgId);
}

/** Group reads of one run: each group is described once, however many pages name it. */
export class GroupReads {
  private readonly reads = new Map<string, LiveRead>();
  constructor(private readonly groups: SecurityGroups) {}

  async load(targets: readonly { region: string; sgId: string }[]): Promise<void> {
    const missing = new Map<string, Set<string>>();
    for (const t of targets) {
      if (this.reads.has(`${t.region}/${t.sgId}`)) continue;
      missing.set(t.region, (missing.get(t.region) ?? new Set()).add(t.sgId));
    }
    await Promise.all(
      [...missing].map(async ([region, ids]) => {
        for (const [id, read] of await this.groups.readGroups(region, [...ids])) {
          this.reads.set(`${region}/${id}`, read);
        }
      }),
    );
  }

  get(region: string, sgId: string): LiveRead {
    return (
      this.reads.get(`${region}/${sgId}`) ?? {
        kind: 'error',
        message: `${sgId} missing from the describe answer`,
      }
    );
  }
}
