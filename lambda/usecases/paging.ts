import type { Action } from '../core/action';
import type { ActionStore } from '../core/ports';
import type { ActionStatus } from '../core/state-machine';

/**
 * Every action in one status, page by page as the pages arrive (the GSI is queried, never scanned,
 * and never loaded whole). Moving an action out of `status` while paging is safe: the cursor is a key.
 */
export async function* pagesOf(
  store: ActionStore,
  status: ActionStatus,
  pageSize = 100,
): AsyncGenerator<readonly Action[]> {
  let cursor: string | null = null;
  do {
    const page = await store.listByStatus(status, pageSize, cursor);
    yield page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** Runs `fn` over `items` with at most `width` in flight: bounded load on DynamoDB and S3. */
export async function mapPool<T>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
