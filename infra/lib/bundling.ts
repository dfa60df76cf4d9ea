import { readFile } from 'node:fs/promises';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * How every handler is bundled. The Lambda construct and the bundle bench both derive their esbuild
 * options from this one object, so the sizes and init times the bench reports are the deployed ones.
 */
export const HANDLER_BUNDLE = {
  target: 'node24',
  format: 'esm',
  // Bundling the SDK instead of using the runtime's copy lets esbuild tree-shake it: about half the
  // size and init time of an external SDK (TOOLCHAIN.md).
  bundleAwsSdk: true,
  // Prefer the ESM builds of the SDK and Powertools, which tree-shake; CJS builds do not.
  mainFields: ['module', 'main'],
  // ESM output has no `require`; bundled CJS dependencies still call it (e.g. `node:https`).
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  minify: true,
  sourcemap: false,
} as const;

/** The file a bundle is written to, inside the function's asset: the handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/** The entry files of the functions, relative to the repository root. */
export const HANDLER_ENTRIES = {
  plan: 'lambda/handlers/plan.ts',
  approveApi: 'lambda/handlers/approve-api.ts',
  apply: 'lambda/handlers/apply.ts',
  reverify: 'lambda/handlers/reverify.ts',
  auditVerify: 'lambda/handlers/audit-verify.ts',
  statusSync: 'lambda/handlers/status-sync.ts',
  rollback: 'lambda/handlers/rollback.ts',
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/**
 * `@aws-sdk/client-ec2` keeps every operation's schema in one module whose structures use computed
 * keys (`{ [_xN]: ... }` with `const _xN = "xmlName"`). esbuild must assume a computed key may run
 * code, so it keeps all ~8,000 structures (550 KB) even when one command is used. Writing each
 * such key as the string literal its constant holds changes nothing at run time and lets esbuild
 * drop the unused schemas: the apply bundle goes from ~1.18 MB to ~0.64 MB.
 */
export const literalSchemaKeys: Plugin = {
  name: 'sg-revoke-literal-schema-keys',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        const constants = new Map<string, string>();
        for (const m of text.matchAll(/^const (_[A-Za-z0-9]+) = ("[^"\\]*");$/gm))
          constants.set(m[1] as string, m[2] as string);
        const contents = text.replace(/\[(_[A-Za-z0-9]+)\]:/g, (key, name: string) => {
          const literal = constants.get(name);
          return literal === undefined ? key : `${literal}:`;
        });
        return { contents, loader: 'js' };
      },
    );
  },
};

/** The esbuild build options of every handler bundle (the stack's and the bench's). */
export function toEsbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: HANDLER_BUNDLE.target,
    format: HANDLER_BUNDLE.format,
    minify: HANDLER_BUNDLE.minify,
    sourcemap: HANDLER_BUNDLE.sourcemap,
    mainFields: [...HANDLER_BUNDLE.mainFields],
    banner: { js: HANDLER_BUNDLE.banner },
    external: HANDLER_BUNDLE.bundleAwsSdk ? [] : ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
    plugins: [literalSchemaKeys],
  };
}
