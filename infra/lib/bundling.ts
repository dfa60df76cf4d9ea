import type { BuildOptions } from 'esbuild';

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

/** The entry files of the four functions, relative to the repository root. */
export const HANDLER_ENTRIES = {
  plan: 'lambda/handlers/plan.ts',
  approveApi: 'lambda/handlers/approve-api.ts',
  apply: 'lambda/handlers/apply.ts',
  reverify: 'lambda/handlers/reverify.ts',
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** The esbuild build options equivalent to what NodejsFunction runs for HANDLER_BUNDLE. */
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
  };
}
