import {
  type EC2Client,
  type NetworkInterface,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2';
import { type InterfaceListing, type InterfaceUse, interfaceUse } from '../core/impact';
import type { Where } from '../core/model';
import type { NetworkInterfaces } from '../core/ports';
import { describeAwsError } from './aws-errors';

/** The largest page DescribeNetworkInterfaces allows. */
const PAGE_SIZE = 1000;

/** The public IPv4 on the primary address or on any secondary one (an Elastic IP can sit on either). */
function publicIpv4Of(eni: NetworkInterface): string | null {
  if (eni.Association?.PublicIp) return eni.Association.PublicIp;
  return eni.PrivateIpAddresses?.find((a) => a.Association?.PublicIp)?.Association?.PublicIp ?? null;
}

export function toInterfaceUse(eni: NetworkInterface): InterfaceUse {
  const attachment = eni.Attachment
    ? { instanceId: eni.Attachment.InstanceId ?? null, status: eni.Attachment.Status ?? null }
    : null;
  return interfaceUse({
    interfaceId: eni.NetworkInterfaceId ?? 'unknown',
    interfaceType: eni.InterfaceType ?? 'interface',
    requesterId: eni.RequesterId ?? null,
    requesterManaged: eni.RequesterManaged ?? false,
    description: eni.Description ?? null,
    attachment,
    publicIpv4: publicIpv4Of(eni),
    ipv6: (eni.Ipv6Addresses?.length ?? 0) > 0 || Boolean(eni.Ipv6Address),
  });
}

/** DescribeNetworkInterfaces by `group-id`, every page, in the group's account and region. */
export class Ec2NetworkInterfaces implements NetworkInterfaces {
  constructor(private readonly clientFor: (where: Where) => EC2Client) {}

  async listByGroup(where: Where, sgId: string): Promise<InterfaceListing> {
    const interfaces: InterfaceUse[] = [];
    try {
      const pages = paginateDescribeNetworkInterfaces(
        { client: this.clientFor(where), pageSize: PAGE_SIZE },
        { Filters: [{ Name: 'group-id', Values: [sgId] }] },
      );
      for await (const page of pages) {
        for (const eni of page.NetworkInterfaces ?? []) interfaces.push(toInterfaceUse(eni));
      }
    } catch (error) {
      return {
        kind: 'error',
        message: `DescribeNetworkInterfaces ${sgId} in ${where.region}: ${describeAwsError(error)}`,
      };
    }
    return { kind: 'listed', interfaces };
  }
}
