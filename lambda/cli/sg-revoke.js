#!/usr/bin/env node
'use strict';
// Launcher: runs a bundle of lambda/cli/main.ts built with esbuild (and, beside it, the worker
// threads' bundle). A bundle starts in tens of milliseconds and runs as plain JS, where a
// TypeScript loader would pay its cost on every run.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const bundle = path.join(root, 'dist', 'cli.cjs');
// The bundle inlines these, so a change to any of them makes it stale.
const inputs = [path.join(root, 'lambda'), path.join(root, 'package-lock.json')];

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) {
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

function bundleMtime() {
  try {
    return fs.statSync(bundle).mtimeMs;
  } catch {
    return -1;
  }
}

function build() {
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch (cause) {
    if (bundleMtime() >= 0) return; // an installed build without devDependencies: use what is there
    throw new Error('dist/cli.cjs is missing and esbuild is not installed (run npm ci)', {
      cause,
    });
  }
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  // Build beside the targets and rename: two first runs at once must never load a half-written
  // file. The worker bundle is renamed first, so a fresh cli.cjs always has a fresh worker.
  const temp = fs.mkdtempSync(path.join(path.dirname(bundle), '.build-'));
  try {
    esbuild.buildSync({
      entryPoints: {
        cli: path.join(root, 'lambda', 'cli', 'main.ts'),
        'plan-worker': path.join(root, 'lambda', 'cli', 'plan-worker-main.ts'),
      },
      outdir: temp,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // The ESM builds of the SDK tree-shake; whitespace and syntax minified (names kept for stack
      // traces) make a smaller file that Node parses faster at every start.
      mainFields: ['module', 'main'],
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'error',
    });
    fs.renameSync(path.join(temp, 'plan-worker.cjs'), path.join(path.dirname(bundle), 'plan-worker.cjs'));
    fs.renameSync(path.join(temp, 'cli.cjs'), bundle);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

// Node 20 is supported (package.json engines, README): the SDK's notice that its own support for
// Node 20 will end is for the maintainers, not nine lines on every run of a supported setup. An
// explicit setting of the variable wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';

try {
  if (bundleMtime() < Math.max(...inputs.map(newestMtime))) build();
} catch (error) {
  process.stderr.write(`sg-revoke: cannot build dist/cli.cjs: ${error.message}\n`);
  process.exit(1);
}
require(bundle);
