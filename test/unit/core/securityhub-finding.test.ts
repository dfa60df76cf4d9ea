import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  parseAsffControlFinding,
  parseControlFinding,
  parseOcsfControlFinding,
  sgIdOf,
} from '../../../lambda/core/securityhub-finding';
import { EVENTS, readEvent } from './support';

const ACCOUNT = '111122223333';
const findingsOf = (file: string): unknown[] =>
  (readEvent(`securityhub/${file}`) as { detail: { findings: unknown[] } }).detail.findings;
const first = (file: string): unknown => findingsOf(file)[0];

describe('parseOcsfControlFinding (Findings Imported V2)', () => {
  it('reads a 2003 EC2.19 compliance finding: group, account, region, control and the V2 identifiers', () => {
    const parsed = parseOcsfControlFinding(first('v2.compliance.ec2-19.json'));
    const uid = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/EC2.19/finding/5f0c1a2b-0001-4c3d-9e8f-111122223333`;
    expect(parsed).toEqual({
      ok: true,
      value: {
        findingUid: uid,
        sgId: 'sg-0a1b2c3d4e5f60001',
        accountUid: ACCOUNT,
        region: 'us-east-1',
        control: 'EC2.19',
        timeMs: 1796033700000,
        origin: {
          kind: 'securityhub-ocsf',
          cloudAccountUid: ACCOUNT,
          findingInfoUid: uid,
          metadataProductUid: 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub',
        },
      },
    });
  });

  it('reads a 2003 EC2.18 compliance finding', () => {
    const parsed = parseOcsfControlFinding(first('v2.compliance.ec2-18.json'));
    expect(parsed.ok && [parsed.value.control, parsed.value.sgId]).toEqual([
      'EC2.18',
      'sg-0a1b2c3d4e5f60002',
    ]);
  });

  it('reads a 2004 exposure finding through the EC2.19 control finding in related_events', () => {
    const parsed = parseOcsfControlFinding(first('v2.exposure.ec2-19.json'));
    expect(parsed.ok && [parsed.value.control, parsed.value.sgId]).toEqual([
      'EC2.19',
      'sg-0a1b2c3d4e5f60003',
    ]);
  });

  it('skips a 2004 finding that references no EC2.18/EC2.19 control as wrong-source', () => {
    const finding = first('v2.exposure.ec2-19.json') as { related_events: unknown[] };
    const parsed = parseOcsfControlFinding({
      ...finding,
      related_events: [{ uid: 'security-control/S3.1/finding/x' }],
    });
    expect(!parsed.ok && parsed.error.kind).toBe('wrong-source');
  });

  it.each([
    ['v2.suppressed.json', 'inactive', /suppressed/],
    ['v2.resolved.json', 'inactive', /resolved/],
    ['v2.other-control.json', 'wrong-source', /EC2\.2/],
    ['v2.malformed.json', 'invalid', /not sg-/],
  ])('%s is rejected as %s with its reason', (file, kind, reason) => {
    const parsed = parseOcsfControlFinding(first(file));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.kind).toBe(kind);
      expect(parsed.error.reason).toMatch(reason);
    }
  });

  it('a failing compliance finding with no product uid cannot be written back: invalid', () => {
    const finding = JSON.parse(JSON.stringify(first('v2.compliance.ec2-19.json')));
    delete finding.metadata.product.uid;
    const parsed = parseOcsfControlFinding(finding);
    expect(!parsed.ok && parsed.error.reason).toMatch(/identifiers/);
  });

  it('a compliance status PASS is inactive even when status_id is New', () => {
    const finding = JSON.parse(JSON.stringify(first('v2.compliance.ec2-19.json')));
    finding.compliance.status = 'Pass';
    finding.compliance.status_id = 1;
    expect(parseOcsfControlFinding(finding)).toMatchObject({ ok: false, error: { kind: 'inactive' } });
  });
});

describe('parseAsffControlFinding (Security Hub Findings - Imported)', () => {
  it('reads an ASFF EC2.18 finding: the sg id from the resource ARN, Id + ProductArn as origin', () => {
    const parsed = parseAsffControlFinding(first('asff.ec2-18.json'));
    const id = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/EC2.18/finding/6a1b2c3d-0008-4e5f-8a9b-111122223333`;
    expect(parsed).toEqual({
      ok: true,
      value: {
        findingUid: id,
        sgId: 'sg-0a1b2c3d4e5f60008',
        accountUid: ACCOUNT,
        region: 'us-east-1',
        control: 'EC2.18',
        timeMs: null,
        origin: {
          kind: 'securityhub-asff',
          id,
          productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
        },
      },
    });
  });

  it('reads an ASFF EC2.19 finding, and the control from GeneratorId when SecurityControlId is absent', () => {
    const finding = JSON.parse(JSON.stringify(first('asff.ec2-19.json')));
    expect(parseAsffControlFinding(finding)).toMatchObject({ ok: true, value: { control: 'EC2.19' } });
    delete finding.Compliance.SecurityControlId;
    finding.GeneratorId = 'aws-foundational-security-best-practices/v/1.0.0/EC2.19';
    expect(parseAsffControlFinding(finding)).toMatchObject({ ok: true, value: { control: 'EC2.19' } });
  });

  it.each([
    ['asff.suppressed.json', /SUPPRESSED/],
    ['asff.resolved.json', /RESOLVED/],
  ])('%s is inactive', (file, reason) => {
    const parsed = parseAsffControlFinding(first(file));
    expect(!parsed.ok && parsed.error.kind).toBe('inactive');
    expect(!parsed.ok && parsed.error.reason).toMatch(reason);
  });

  it('an archived or PASSED finding is inactive', () => {
    const finding = JSON.parse(JSON.stringify(first('asff.ec2-19.json')));
    expect(parseAsffControlFinding({ ...finding, RecordState: 'ARCHIVED' })).toMatchObject({
      ok: false,
      error: { kind: 'inactive' },
    });
    finding.Compliance.Status = 'PASSED';
    expect(parseAsffControlFinding(finding)).toMatchObject({ ok: false, error: { kind: 'inactive' } });
  });

  it('a finding on another resource type has no sg pointer', () => {
    const finding = JSON.parse(JSON.stringify(first('asff.ec2-19.json')));
    finding.Resources[0].Type = 'AwsEc2Instance';
    expect(parseAsffControlFinding(finding)).toMatchObject({ ok: false, error: { kind: 'no-sg-pointer' } });
  });
});

describe('every sample of events/securityhub', () => {
  const files = readdirSync(join(EVENTS, 'securityhub')).filter((f) => f.endsWith('.json'));

  it.each(files)('%s parses to a finding or a typed rejection, as its name says', (file) => {
    const shape = file.startsWith('asff.') ? 'securityhub-asff' : 'securityhub-ocsf';
    const parsed = parseControlFinding(shape, first(file));
    const valid = /ec2-1[89]/.test(file) && !/suppressed|resolved|malformed|other/.test(file);
    expect(parsed.ok).toBe(valid);
  });
});

describe('sgIdOf', () => {
  it('takes the id out of an EC2 security-group ARN and leaves a bare id alone', () => {
    expect(sgIdOf('arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a1b2c3d')).toBe('sg-0a1b2c3d');
    expect(sgIdOf('sg-0a1b2c3d')).toBe('sg-0a1b2c3d');
  });
});

describe('property: untrusted input never throws', () => {
  it('random JSON and mutated samples parse to a Result', () => {
    const samples = [first('v2.compliance.ec2-19.json'), first('asff.ec2-18.json')];
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...samples), fc.string(), (value, sample, key) => {
        for (const shape of ['securityhub-ocsf', 'securityhub-asff'] as const) {
          expect(typeof parseControlFinding(shape, value).ok).toBe('boolean');
          const mutated = { ...(sample as object), [key]: value };
          expect(typeof parseControlFinding(shape, mutated).ok).toBe('boolean');
        }
      }),
      { numRuns: 300 },
    );
  });
});
