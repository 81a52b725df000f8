import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JsonWebTokenError, TokenExpiredError, verify } from 'jsonwebtoken';
import { ConfigurationError } from '../config';
import { OPEN_PRINCIPAL, Principal, UnauthenticatedError, isRole } from './principal';

/** An API key as configured: its holder, role, and the SHA-256 of the key (never the key). */
export interface ApiKeyEntry {
  readonly id: string;
  readonly role: string;
  readonly sha256: string;
}

export interface CredentialsConfig {
  /** `id:role:sha256hex` entries separated by commas (API_KEYS). */
  readonly apiKeys?: string;
  /** A JSON file holding a list of {id, role, sha256} (API_KEYS_FILE). */
  readonly apiKeysFile?: string;
  /** The HS256 secret of accepted JWTs, whose `sub` is the principal and `role` its role. */
  readonly jwtSecret?: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Turns a bearer credential into a principal. API keys are random, so a SHA-256 of the key
 * is enough to keep the configured list useless to whoever reads it.
 */
export class Credentials {
  private readonly keys: ReadonlyMap<string, Principal>;

  private constructor(
    keys: readonly ApiKeyEntry[],
    private readonly jwtSecret: string | undefined,
  ) {
    const map = new Map<string, Principal>();
    for (const entry of keys) {
      if (!/^[0-9a-f]{64}$/.test(entry.sha256)) {
        throw new ConfigurationError(`API key of "${entry.id}": sha256 must be 64 hex digits`);
      }
      if (!isRole(entry.role)) {
        throw new ConfigurationError(
          `API key of "${entry.id}": role must be viewer, auditor or manager, not "${entry.role}"`,
        );
      }
      if (entry.id === '') throw new ConfigurationError('an API key needs an id');
      map.set(entry.sha256, { id: entry.id, role: entry.role });
    }
    this.keys = map;
  }

  static load(config: CredentialsConfig): Credentials {
    const keys: ApiKeyEntry[] = [];
    if (config.apiKeys) {
      for (const item of config.apiKeys.split(',').map((part) => part.trim())) {
        if (item === '') continue;
        const [id, role, sha256, ...rest] = item.split(':');
        if (id === undefined || role === undefined || sha256 === undefined || rest.length > 0) {
          throw new ConfigurationError(
            'API_KEYS entries are id:role:sha256hex, separated by commas',
          );
        }
        keys.push({ id, role, sha256 });
      }
    }
    if (config.apiKeysFile) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(config.apiKeysFile, 'utf8'));
      } catch (error) {
        throw new ConfigurationError(
          `API_KEYS_FILE ${config.apiKeysFile} is not a readable JSON file: ${(error as Error).message}`,
        );
      }
      if (!Array.isArray(parsed)) {
        throw new ConfigurationError('API_KEYS_FILE must hold a JSON list of {id, role, sha256}');
      }
      keys.push(...(parsed as ApiKeyEntry[]));
    }
    if (
      config.jwtSecret !== undefined &&
      config.jwtSecret.length > 0 &&
      config.jwtSecret.length < 32
    ) {
      throw new ConfigurationError('JWT_SECRET must be at least 32 characters');
    }
    return new Credentials(keys, config.jwtSecret || undefined);
  }

  /** True when nothing is configured: every request is let in (outside production). */
  get open(): boolean {
    return this.keys.size === 0 && this.jwtSecret === undefined;
  }

  /**
   * The principal of an `Authorization` header value (or a bare token); undefined when no
   * credential was sent. Throws UnauthenticatedError for one that is not valid.
   */
  authenticate(authorization: string | undefined): Principal | undefined {
    if (this.open) return OPEN_PRINCIPAL;
    if (authorization === undefined || authorization.trim() === '') return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (match === null)
      throw new UnauthenticatedError('use an "Authorization: Bearer <token>" header');
    const token = match[1];
    return token.split('.').length === 3 ? this.fromJwt(token) : this.fromApiKey(token);
  }

  private fromApiKey(key: string): Principal {
    // Looked up by digest: timing reveals nothing about a key whose hash is unknown.
    const principal = this.keys.get(hashApiKey(key));
    if (principal === undefined) throw new UnauthenticatedError('unknown API key');
    return principal;
  }

  private fromJwt(token: string): Principal {
    if (this.jwtSecret === undefined) throw new UnauthenticatedError('JWTs are not accepted here');
    let claims: unknown;
    try {
      claims = verify(token, this.jwtSecret, { algorithms: ['HS256'] });
    } catch (error) {
      if (error instanceof TokenExpiredError) throw new UnauthenticatedError('the JWT has expired');
      if (error instanceof JsonWebTokenError)
        throw new UnauthenticatedError('the JWT is not valid');
      throw error;
    }
    const { sub, role } = (claims ?? {}) as { sub?: unknown; role?: unknown };
    if (typeof sub !== 'string' || sub === '')
      throw new UnauthenticatedError('the JWT has no subject');
    if (!isRole(role)) throw new UnauthenticatedError('the JWT has no valid role claim');
    return { id: sub, role };
  }
}
