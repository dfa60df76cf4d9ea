import * as path from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildSync } from 'esbuild';
import { UnreadableRuleError } from '../../../lambda/adapters/ec2-rules';
import * as errors from '../../../lambda/core/errors';

type ErrorClass = new (message: string, ...rest: never[]) => Error;

const classesOf = (module: Record<string, unknown>): [string, ErrorClass][] =>
  Object.entries(module).filter((entry): entry is [string, ErrorClass] => /Error$/.test(entry[0]));

describe('error classes keep their names (STYLE §14)', () => {
  it.each(classesOf({ ...errors, UnreadableRuleError }))('%s has its own literal name', (exported, Class) => {
    const error = new Class('boom', undefined as never);

    expect(error.name).toBe(exported);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps every name after minification, as in the Lambda bundles', () => {
    const bundled = buildSync({
      entryPoints: [path.join(__dirname, '../../../lambda/core/errors.ts')],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'node',
      write: false,
      logLevel: 'silent',
    }).outputFiles[0]!.text;
    const sandbox = { module: { exports: {} as Record<string, unknown> }, exports: {} };
    sandbox.exports = sandbox.module.exports;
    runInNewContext(bundled, sandbox);

    const names = classesOf(sandbox.module.exports).map(([exported, Class]) => [
      exported,
      new Class('boom', undefined as never).name,
    ]);

    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const [exported, name] of names) expect(name).toBe(exported);
  });
});
