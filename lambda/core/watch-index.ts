/**
 * The sparse index of the actions table that reverify reads (issue 10): only actions whose rules were
 * revoked carry its keys, sorted by when they were revoked, so a query for "revoked since the start of
 * the verify window" never reads an action outside it. It projects only what a check needs: no plan,
 * no before-image, no history. Lambda and infra both import these names.
 */
export const WATCH_INDEX = 'by-watch';
export const WATCH_KEY = 'watch_key';
export const WATCH_SINCE = 'watch_since';
/** One partition: at 1,000s of revokes a month the index stays far below a partition's limits. */
export const WATCH_KEY_VALUE = 'revoked';
export const WATCH_PROJECTION = ['status', 'finding', 'outcome', 'verification', 'audit_head'] as const;
