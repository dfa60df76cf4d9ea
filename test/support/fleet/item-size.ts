/**
 * DynamoDB's item size rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * attribute names and string values by UTF-8 length, numbers about 1 byte per 2 digits + 1, booleans
 * and nulls 1 byte, and 3 bytes per map or list plus 1 per element.
 */
export function dynamoSizeOf(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + dynamoSizeOf(v), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k, 'utf8') + dynamoSizeOf(v), 0)
  );
}

/** Top-level item: no map overhead, names plus values. */
export const dynamoItemBytes = (item: Record<string, unknown>): number =>
  Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + dynamoSizeOf(v), 0);
