import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { KMSClient } from '@aws-sdk/client-kms';
import { KmsApprovalVerifier } from '../../lambda/adapters/kms-approval-key';
import { approvalPayload, approvedRulesOf, checkStoredApproval } from '../../lambda/core/approval';
import type { IngressRule } from '../../lambda/core/model';
import type { Cidr } from '../../lambda/core/permission';
import { planRevoke } from '../../lambda/core/plan';

const KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-000000000001';
const RUNS = 2_000;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/**
 * What signed approvals add to one apply: the stored-approval checks (plan hash recomputed over a
 * 50-rule before-image) and the local ECDSA verification, through the real adapter with KMS's
 * GetPublicKey answered in memory. Figures only; nothing here passes or fails on a time.
 */
export async function runApprovalVerifyBench(): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ format: 'der', type: 'spki' });
  let publicKeyCalls = 0;
  const kms = {
    send: async () => {
      publicKeyCalls += 1;
      return {
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
        PublicKey: new Uint8Array(der),
      };
    },
  } as unknown as KMSClient;
  const verifier = new KmsApprovalVerifier(kms, KEY_ID);

  const ingress: IngressRule[] = Array.from({ length: 50 }, (_, i) => ({
    ruleId: `sgr-${String(i).padStart(17, '0')}`,
    protocol: 'tcp',
    fromPort: 22 + i,
    toPort: 22 + i,
    cidr: (i < 2 ? '0.0.0.0/0' : `10.0.${i}.0/24`) as Cidr,
    source: null,
    description: `rule ${i}`,
  }));
  const finding = {
    findingUid: 'bench',
    sgId: 'sg-0a1b2c3d4e5f60001',
    sgName: 'web',
    region: 'us-east-1',
    accountUid: '111122223333',
    actor: null,
    rule: null,
    permission: {
      protocol: 'tcp' as const,
      fromPort: 22,
      toPort: 22,
      cidrs: ['0.0.0.0/0' as Cidr],
      ports: [22],
    },
    timeMs: null,
  };
  const outcome = planRevoke(finding, {
    groupId: finding.sgId,
    groupName: 'web',
    vpcId: null,
    tags: {},
    ingress,
  });
  if (outcome.kind !== 'planned') throw new Error('bench plan did not plan');
  const plan = outcome.plan;
  const unsigned = {
    approver: 'arn:aws:sts::111122223333:assumed-role/IncidentCommander/alice',
    incidentId: 'INC-1',
    at: '2026-12-01T00:00:00.000Z',
    deadline: '2099-01-01T00:00:00.000Z',
    planHash: plan.planHash,
    rules: approvedRulesOf(plan),
    keyId: KEY_ID,
  };
  const signature = sign(
    'sha256',
    Buffer.from(approvalPayload('sgrev-bench', plan, unsigned)),
    privateKey,
  ).toString('base64');
  const action = { actionId: 'sgrev-bench', plan, approval: { ...unsigned, signature } };

  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const check = checkStoredApproval(action, KEY_ID, '2026-12-01T00:00:01.000Z');
    if (check.kind !== 'verify' || !(await verifier.verify(check.payload, check.signature))) {
      throw new Error('bench approval did not verify');
    }
    return performance.now() - t0;
  };
  const cold = await once();
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await once());
  const lines = [
    '',
    `approval verification (per apply, ${RUNS} runs, 50-rule before-image):`,
    `  cold start (GetPublicKey + key import + first verify): ${cold.toFixed(2)} ms`,
    `  median after cold start: ${median(warm).toFixed(3)} ms (p99 ${[...warm].sort((a, b) => a - b)[Math.floor(RUNS * 0.99)]?.toFixed(3)} ms)`,
    `  KMS calls: ${publicKeyCalls} for ${RUNS + 1} verifications`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
