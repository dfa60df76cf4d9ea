import 'aws-cdk-lib/testhelpers/jest-autoclean';
import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createSgRevokeApp, withNagChecks } from '../../infra/lib/sg-revoke-app';
import { testContext } from './synthetic-context';

// cdk-nag reads the construct tree, not the bundles: skip bundling to keep this file fast.
const context = () => ({ ...testContext(), 'aws:cdk:bundling-stacks': [] });

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const own = scope.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) =>
      Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
        path: scope.node.path,
        id: id.replace(/^annotation::/i, ''),
        reason,
      })),
    );
  return [...own, ...scope.node.children.flatMap(acknowledgements)];
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning', () => {
    const { app, stack } = createSgRevokeApp({ context: context() });

    const report = new AwsSolutionsChecks(app).validateScope(stack);

    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges with plain rule ids, each with a reason, and none that is stale', () => {
    const { app, stack } = createSgRevokeApp({ context: context() });
    const acks = acknowledgements(stack);
    // Re-run the pack as if nothing were acknowledged, to prove each acknowledgement is still needed.
    const pack = new AwsSolutionsChecks(app);
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const raw = pack
      .validateScope(stack)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath })),
      );

    expect(pack).toBeInstanceOf(NagPack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length).toBeGreaterThan(30);
      expect(
        raw.some((finding) => finding.id === ack.id && (finding.path ?? '').startsWith(`${ack.path}/`)),
      ).toBe(true);
    }
  });

  it('fails the synth of the app on an unacknowledged finding', () => {
    const { app, stack } = createSgRevokeApp({ context: context() });
    new Bucket(stack, 'UnloggedBucket');

    expect(() => withNagChecks(app).synth()).toThrow(/AwsSolutions-S1/);
  });
});
