import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { APPROVAL_SIGNING_ALGORITHM } from '../core/approval';
import { SgRevokeError } from '../core/errors';
import type { ApprovalSigner, ApprovalVerifier } from '../core/ports';
import { translated } from './aws-errors';

/** The approval API's half: KMS signs, so the private key never leaves KMS and only its role may. */
export class KmsApprovalSigner implements ApprovalSigner {
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(payload: string): Promise<string> {
    const out = await translated(`kms:Sign ${this.keyId}`, () =>
      this.kms.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: Buffer.from(payload, 'utf8'),
          MessageType: 'RAW',
          SigningAlgorithm: APPROVAL_SIGNING_ALGORITHM,
        }),
      ),
    );
    if (!out.Signature) throw new SignatureError(`kms:Sign ${this.keyId} returned no signature`);
    return Buffer.from(out.Signature).toString('base64');
  }
}

/**
 * Apply's half: the public key is fetched once per container (GetPublicKey) and each signature is
 * checked locally with node:crypto, so an apply costs no KMS call and cannot be talked out of the
 * check by a KMS error (a key that cannot be fetched fails every verification).
 */
export class KmsApprovalVerifier implements ApprovalVerifier {
  private publicKey: Promise<KeyObject> | null = null;

  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async verify(payload: string, signature: string): Promise<boolean> {
    this.publicKey ??= this.fetchPublicKey().catch((error: unknown) => {
      this.publicKey = null; // a transient failure is retried by the next verification
      throw error;
    });
    const key = await this.publicKey;
    return verify('sha256', Buffer.from(payload, 'utf8'), key, Buffer.from(signature, 'base64'));
  }

  private async fetchPublicKey(): Promise<KeyObject> {
    const out = await translated(`kms:GetPublicKey ${this.keyId}`, () =>
      this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })),
    );
    if (out.KeyUsage !== 'SIGN_VERIFY' || !out.SigningAlgorithms?.includes(APPROVAL_SIGNING_ALGORITHM)) {
      throw new SignatureError(`${this.keyId} is not an ${APPROVAL_SIGNING_ALGORITHM} signing key`);
    }
    if (!out.PublicKey) throw new SignatureError(`kms:GetPublicKey ${this.keyId} returned no key`);
    return createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
  }
}

export class SignatureError extends SgRevokeError {
  override readonly name = 'SignatureError';
}
