import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { HANDLER_ENTRIES, type HandlerName, toEsbuildOptions } from '../../infra/lib/bundling';

/**
 * Bundle size and cold module-init time of the four handlers, bundled exactly as the CDK construct
 * bundles them (same options object). Prints only: a failing or placeholder handler is reported, and
 * the process still exits 0. The size budget is enforced by test/infra/bundle-size.test.ts.
 */

const REPO_ROOT = path.join(__dirname, '..', '..');
const OUT_DIR = path.join(REPO_ROOT, '.bench', 'bundles');
const COLD_LOADS = 10;
const MAX_BUNDLE_KB = 1024;
// Functions that never call EC2 must not pay for its client (~1 MB on its own).
const WITHOUT_EC2: readonly HandlerName[] = ['approveApi'];

// Valid-looking values: the handlers validate their configuration when the module loads.
const DUMMY_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench-secret-not-real',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'sg-revoke',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SG_REVOKE_ACTIONS_TABLE: 'bench-actions',
  AWS_SG_REVOKE_AUDIT_DYNAMODB_TABLE: 'bench-audit',
  AWS_SG_REVOKE_AUDIT_BUCKET: 'bench-audit-bucket',
  KMS_KEY_ARN: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  AWS_SG_REVOKE_EVENT_BUS: 'bench-bus',
  AWS_SG_REVOKE_IDEMPOTENCY_TABLE: 'bench-idempotency',
  AWS_SG_REVOKE_PROTECTED_IDS: 'sg-0123456789abcdef0',
  AWS_SG_REVOKE_ALLOWED_ACCOUNT_IDS: '111122223333',
  AWS_SG_REVOKE_APPROVER_PRINCIPALS: 'arn:aws:sts::111122223333:assumed-role/sg-revoke-approver/*',
  AWS_SG_REVOKE_APPROVAL_TTL_HOURS: '24',
  AWS_SG_REVOKE_VERIFY_WINDOW_DAYS: '30',
  AWS_SG_REVOKE_MAX_REVOKES_PER_HOUR: '20',
  AWS_SG_REVOKE_BREAKER_THRESHOLD: '3',
  AWS_SG_REVOKE_APPROVAL_KEY_ARN:
    'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000001',
};

// performance.now() counts from the process's time origin, so this is start-to-evaluated.
const LOADER = `await import(process.argv[1]); process.stdout.write(String(performance.now()));`;

interface Row {
  name: HandlerName;
  kb: number;
  /** client-ec2 among the metafile inputs, and how much of it survived tree-shaking. */
  ec2: boolean;
  ec2Kb: number;
  initMs: number | string;
  largest: string;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Bytes each npm package (or `src`) contributes to the bundle. */
function bytesByPackage(metafile: Metafile, outfile: string): Map<string, number> {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === outfile)?.[1];
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'src';
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
  }
  return sizes;
}

/** Median over fresh `node` processes, or the first error a load reported. */
function coldInitMs(bundle: string): number | string {
  const samples: number[] = [];
  for (let i = 0; i < COLD_LOADS; i++) {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', LOADER, pathToFileURL(bundle).href],
      {
        env: { PATH: process.env.PATH, ...DUMMY_ENV },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    const ms = Number(run.stdout.trim());
    if (run.status !== 0 || !Number.isFinite(ms)) {
      const why = (run.stderr || run.error?.message || 'no output').trim().split('\n').find(Boolean);
      return `load failed: ${why ?? 'unknown'}`;
    }
    samples.push(ms);
  }
  return median(samples);
}

async function measure(name: HandlerName): Promise<Row> {
  const outfile = path.join(OUT_DIR, `${name}.mjs`);
  const result = await build(toEsbuildOptions(path.join(REPO_ROOT, HANDLER_ENTRIES[name]), outfile));
  const metafile = result.metafile as Metafile;
  const packages = bytesByPackage(metafile, outfile);
  const bytes =
    Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === outfile)?.[1].bytes ?? 0;
  const largest = [...packages.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([pkg, size]) => `${pkg} ${(size / 1024).toFixed(0)}`)
    .join(', ');
  return {
    name,
    kb: bytes / 1024,
    ec2: Object.keys(metafile.inputs).some((input) => input.includes('@aws-sdk/client-ec2/')),
    ec2Kb: (packages.get('@aws-sdk/client-ec2') ?? 0) / 1024,
    initMs: coldInitMs(outfile),
    largest,
  };
}

function print(rows: Row[]): void {
  const header = ['function', 'bundle KB', 'client-ec2', 'init ms (median of 10)', 'targets', 'largest (KB)'];
  const lines = rows.map((row) => {
    const sizeOk = row.kb <= MAX_BUNDLE_KB;
    const ec2Ok = !(WITHOUT_EC2.includes(row.name) && row.ec2Kb > 0);
    const ec2 = !row.ec2 ? 'no' : row.ec2Kb > 0 ? `yes (${row.ec2Kb.toFixed(0)} KB)` : 'imported, 0 B kept';
    const targets = [sizeOk ? 'size ok' : 'OVER 1 MB', ec2Ok ? 'ec2 ok' : 'EC2 NOT EXPECTED'].join(', ');
    return [
      row.name,
      row.kb.toFixed(1),
      ec2,
      typeof row.initMs === 'number' ? row.initMs.toFixed(1) : row.initMs,
      targets,
      row.largest,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(
    [
      '',
      'Handler bundles (esbuild options from infra/lib/bundling.ts, as deployed)',
      `Targets: every bundle <= ${MAX_BUNDLE_KB} KB; ${WITHOUT_EC2.join(', ')} without client-ec2.`,
      format(header),
      format(widths.map((w) => '-'.repeat(w))),
      ...lines.map(format),
      '',
    ].join('\n'),
  );
}

export async function runBundleBench(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const rows: Row[] = [];
  for (const name of Object.keys(HANDLER_ENTRIES) as HandlerName[]) {
    try {
      rows.push(await measure(name));
    } catch (error) {
      process.stdout.write(
        `${name}: could not bundle (${error instanceof Error ? error.message : String(error)})\n`,
      );
    }
  }
  print(rows);
}

if (require.main === module) {
  runBundleBench().catch((error: unknown) => {
    process.stdout.write(`bundle bench could not run: ${String(error)}\n`);
  });
}
