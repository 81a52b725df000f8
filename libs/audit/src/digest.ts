import { KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from './leaf';
import { fromHex, sha256, toHex } from './hashes';

/**
 * What an auditor keeps: the size and root of the log's tree at a moment, maybe signed
 * (docs/audit.md, "The digest").
 */
export interface AuditDigest {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly issuedAt: string;
  readonly keyId: string | null;
  readonly signature: string | null;
}

/** A key is configured but cannot be used; the server must not start without it. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/** A text that should be a digest is not one. */
export class MalformedDigestError extends Error {
  override readonly name = 'MalformedDigestError';
}

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
  /** SPKI PEM, as `auditPublicKey` serves it. */
  readonly publicKeyPem: string;
}

/**
 * The Ed25519 key from AUDIT_SIGNING_KEY (PKCS#8 PEM text) or AUDIT_SIGNING_KEY_FILE (a
 * file holding it); undefined when neither is set: digests are then unsigned.
 */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv): SigningKey | undefined {
  const text = env['AUDIT_SIGNING_KEY'];
  const file = env['AUDIT_SIGNING_KEY_FILE'];
  if (text && file) {
    throw new SigningKeyError('set AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE, not both');
  }
  let pem: string;
  if (text) pem = text;
  else if (file) {
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      throw new SigningKeyError(
        `cannot read AUDIT_SIGNING_KEY_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  } else return undefined;
  return signingKeyOf(pem, text ? 'AUDIT_SIGNING_KEY' : 'AUDIT_SIGNING_KEY_FILE');
}

export function signingKeyOf(pem: string, source = 'the signing key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError(`${source} is not a PKCS#8 PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `${source} is an ${privateKey.asymmetricKeyType} key; digests are signed with Ed25519`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Reads an SPKI PEM Ed25519 public key; undefined when the text is not one. */
export function publicKeyOf(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The first 16 hex digits of SHA-256 of the raw 32-byte public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x as string, 'base64url');
  return toHex(sha256(raw)).slice(0, 16);
}

/** The bytes a signature covers: RFC 8785 of { treeSize, rootHash, issuedAt }. */
export function signedBytes(
  digest: Pick<AuditDigest, 'treeSize' | 'rootHash' | 'issuedAt'>,
): Buffer {
  return Buffer.from(
    canonicalJson({
      treeSize: digest.treeSize,
      rootHash: digest.rootHash,
      issuedAt: digest.issuedAt,
    }),
    'utf8',
  );
}

export function issueDigest(
  treeSize: number,
  rootHash: Uint8Array,
  issuedAt: Date,
  key: SigningKey | undefined,
): AuditDigest {
  const unsigned = { treeSize, rootHash: toHex(rootHash), issuedAt: issuedAt.toISOString() };
  if (key === undefined) return Object.assign({}, unsigned, { keyId: null, signature: null });
  return Object.assign({}, unsigned, {
    keyId: key.keyId,
    signature: sign(null, signedBytes(unsigned), key.privateKey).toString('base64'),
  });
}

export type SignatureCheck =
  { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly detail: string };

/** Whether the digest's signature holds for the given public key. */
export function checkSignature(
  digest: AuditDigest,
  publicKey: KeyObject | undefined,
): SignatureCheck {
  if (digest.signature === null) {
    return { ok: true, detail: 'the digest is unsigned: it proves only what its holder kept' };
  }
  if (publicKey === undefined) {
    return {
      ok: false,
      detail: `the digest is signed by key ${digest.keyId} but no public key was given to check it (--public-key)`,
    };
  }
  const keyId = keyIdOf(publicKey);
  if (digest.keyId !== keyId) {
    return {
      ok: false,
      detail: `the digest names key ${digest.keyId}, the public key given is ${keyId}`,
    };
  }
  const valid = verify(
    null,
    signedBytes(digest),
    publicKey,
    Buffer.from(digest.signature, 'base64'),
  );
  return valid
    ? { ok: true, detail: `signed by key ${keyId}` }
    : { ok: false, detail: `the signature does not match the digest for key ${keyId}` };
}

/** Reads a digest from JSON text, refusing anything that is not exactly one. */
export function parseDigest(text: string): AuditDigest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedDigestError('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedDigestError('is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const { treeSize, rootHash, issuedAt, keyId, signature } = record;
  if (!Number.isSafeInteger(treeSize) || (treeSize as number) < 0) {
    throw new MalformedDigestError('treeSize is not a natural number');
  }
  if (fromHex(rootHash) === undefined) {
    throw new MalformedDigestError('rootHash is not 64 lowercase hex digits');
  }
  if (typeof issuedAt !== 'string' || Number.isNaN(Date.parse(issuedAt))) {
    throw new MalformedDigestError('issuedAt is not a date-time');
  }
  if (keyId !== null && (typeof keyId !== 'string' || !/^[0-9a-f]{16}$/.test(keyId))) {
    throw new MalformedDigestError('keyId is neither null nor 16 hex digits');
  }
  if (signature !== null && (typeof signature !== 'string' || signature === '')) {
    throw new MalformedDigestError('signature is neither null nor base64');
  }
  if ((keyId === null) !== (signature === null)) {
    throw new MalformedDigestError('keyId and signature must both be set or both be null');
  }
  return {
    treeSize: treeSize as number,
    rootHash: rootHash as string,
    issuedAt,
    keyId: keyId as string | null,
    signature: signature as string | null,
  };
}
