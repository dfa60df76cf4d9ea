import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** Hex SHA-256 of a string's UTF-8 bytes (audited pure JS, so the core stays free of node:crypto). */
/** A SHA-256 hex digest function: callers on a hot path may pass a native one (the CLI does). */
export type Sha256Hex = (text: string) => string;

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** JSON with object keys sorted at every level: the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function shortHash(prefix: string, value: unknown): string {
  return shortHashOfCanonical(prefix, canonicalJson(value));
}

/** shortHash of a value whose canonical JSON the caller already wrote. */
export function shortHashOfCanonical(prefix: string, canonical: string, hash: Sha256Hex = sha256Hex): string {
  return `${prefix}-${hash(canonical).slice(0, 16)}`;
}
