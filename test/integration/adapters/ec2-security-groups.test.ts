import { destroyClients, ec2Client } from '../../../lambda/adapters/clients';
import { Ec2SecurityGroups } from '../../../lambda/adapters/ec2-security-groups';
import { createGroup, defaultGroupId, describeMoto, readIngressRules, resetMoto } from '../moto/resources';

const EAST_REGION = 'us-east-1';
const WEST_REGION = 'eu-west-1';
/** moto's account, in each region. */
const EAST = { accountUid: '123456789012', region: EAST_REGION };
const WEST = { accountUid: '123456789012', region: WEST_REGION };
const MISSING = 'sg-0123456789abcdef0';

describeMoto('Ec2SecurityGroups on moto_server', () => {
  const groups = new Ec2SecurityGroups((where) => ec2Client(where.region));
  const openGroup = () =>
    createGroup(EAST_REGION, {
      name: 'web',
      tags: { team: 'blue', 'intentionally-open': 'cdn' },
      ingress: [
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' },
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '::/0' },
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.0.0.0/8', description: 'vpn' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
      ],
    });

  beforeEach(resetMoto);
  afterAll(destroyClients);

  it('reads the name, tags and every ingress rule with its id', async () => {
    const { groupId, ruleIds } = await openGroup();

    const read = await groups.readGroup(EAST, groupId);

    if (read.kind !== 'found') throw new Error(`expected found, got ${JSON.stringify(read)}`);
    expect(read.group).toMatchObject({
      groupId,
      groupName: 'web',
      tags: { team: 'blue', 'intentionally-open': 'cdn' },
    });
    expect(read.group.vpcId).toMatch(/^vpc-/);
    const shape = (cidr: string, port: number, description: string | null = null) => ({
      protocol: 'tcp',
      fromPort: port,
      toPort: port,
      cidr,
      source: null,
      description,
    });
    expect(read.group.ingress).toEqual(
      expect.arrayContaining([
        { ruleId: ruleIds[0], ...shape('0.0.0.0/0', 22) },
        { ruleId: ruleIds[1], ...shape('::/0', 22) },
        { ruleId: ruleIds[2], ...shape('10.0.0.0/8', 22, 'vpn') },
        { ruleId: ruleIds[3], ...shape('0.0.0.0/0', 443) },
      ]),
    );
    expect(read.group.ingress).toHaveLength(4);
  });

  it('reads the VPC default group by its live name', async () => {
    const read = await groups.readGroup(EAST, await defaultGroupId(EAST_REGION));

    expect(read.kind === 'found' && read.group.groupName).toBe('default');
  });

  it('is not-found for a group that does not exist', async () => {
    await expect(groups.readGroup(EAST, MISSING)).resolves.toEqual({ kind: 'not-found' });
  });

  it('reads many groups per region in one batch; a group of another region is not-found', async () => {
    const east = await openGroup();
    const other = await createGroup(EAST_REGION, {
      name: 'api',
      ingress: [{ protocol: 'udp', fromPort: 53, toPort: 53, cidr: '::/0' }],
    });
    const west = await createGroup(WEST_REGION, {
      name: 'eu',
      ingress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
    });

    const eastReads = await groups.readGroups(EAST, [east.groupId, other.groupId, MISSING]);
    const westReads = await groups.readGroups(WEST, [west.groupId, east.groupId]);

    const ingressOf = (read: unknown) =>
      (read as { group: { ingress: { ruleId: string }[] } }).group.ingress.map((r) => r.ruleId).sort();
    expect(ingressOf(eastReads.get(east.groupId))).toEqual([...east.ruleIds].sort());
    expect(eastReads.get(other.groupId)).toMatchObject({
      kind: 'found',
      group: { groupName: 'api', ingress: [{ ruleId: other.ruleIds[0], protocol: 'udp', cidr: '::/0' }] },
    });
    expect(eastReads.get(MISSING)).toEqual({ kind: 'not-found' });
    expect(westReads.get(west.groupId)).toMatchObject({
      kind: 'found',
      group: { ingress: [{ protocol: '-1', fromPort: null, toPort: null, cidr: '0.0.0.0/0' }] },
    });
    expect(westReads.get(east.groupId)).toEqual({ kind: 'not-found' });
  });

  it('revokes exactly the given rule ids and keeps the siblings; a second revoke is not-found', async () => {
    const { groupId, ruleIds } = await openGroup();
    const [ssh4, ssh6, vpn, https] = ruleIds as [string, string, string, string];

    const first = await groups.revokeRules(EAST, groupId, [ssh4, ssh6]);
    const left = (await readIngressRules(EAST_REGION, groupId)).map((r) => r.SecurityGroupRuleId).sort();
    const second = await groups.revokeRules(EAST, groupId, [ssh4, ssh6]);

    expect(first.kind).toBe('revoked');
    expect(left).toEqual([vpn, https].sort());
    expect(second).toEqual({ kind: 'not-found', message: expect.stringContaining('NotFound') });
    const reread = await groups.readGroup(EAST, groupId);
    expect(reread.kind === 'found' && reread.group.ingress.map((r) => r.ruleId).sort()).toEqual(left);
  });
});
