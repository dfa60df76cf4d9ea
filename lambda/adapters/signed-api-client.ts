import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { SgRevokeError } from '../core/errors';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** `https://<id>.execute-api.<region>.amazonaws.com/<stage>` carries its region; other hosts need one given. */
export function regionOfApi(url: URL, fallback: string | undefined): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname);
  const region = match?.[1] ?? fallback;
  if (!region) throw new SgRevokeError(`cannot tell the region of ${url.host}: set AWS_REGION`);
  return region;
}

/**
 * The incident commander's client: every request is SigV4-signed for `execute-api` with the
 * caller's own credentials (the SDK chain: env, profile, SSO, role), so API Gateway's AWS_IAM
 * authorizer knows who approves. The signer is the SDK's, not hand-written.
 */
export class SignedApiClient {
  private readonly signer: SignatureV4;

  constructor(
    private readonly baseUrl: URL,
    region: string,
    credentials: AwsCredentialIdentityProvider = fromNodeProviderChain(),
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.signer = new SignatureV4({
      service: 'execute-api',
      region,
      credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string> = {},
    body?: unknown,
  ): Promise<ApiResponse> {
    const url = new URL(this.baseUrl.toString().replace(/\/?$/, '/') + path.replace(/^\//, ''));
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...(payload ? { 'content-type': 'application/json' } : {}) },
      body: payload,
    });
    const signed = await this.signer.sign(request);
    const response = await this.fetchFn(url, {
      method,
      headers: signed.headers as Record<string, string>,
      body: payload,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // API Gateway's own errors (403 from the IAM authorizer) are JSON, but a proxy's may not be.
    }
    return { status: response.status, body: parsed };
  }
}
