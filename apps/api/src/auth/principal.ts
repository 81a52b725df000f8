/** Who may do what: each role includes the rights of the ones before it. */
export const ROLES = ['viewer', 'auditor', 'manager'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** What `@Allow` may name: a role, or `public` for what needs no credentials at all. */
export type Access = Role | 'public';

export function grants(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

export interface Principal {
  /** Recorded as the actor of every event; null while the server runs open. */
  readonly id: string | null;
  readonly role: Role;
}

/** Everyone, while no credentials are configured (never in production). */
export const OPEN_PRINCIPAL: Principal = { id: null, role: 'manager' };

/** Missing or invalid credentials. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
}

/** Valid credentials whose role lacks the right. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

export function requireRole(principal: Principal | undefined, needed: Role, what: string): void {
  if (principal === undefined) throw new UnauthenticatedError('credentials are required');
  if (!grants(principal.role, needed)) {
    throw new ForbiddenError(`${what} needs the ${needed} role; you are ${principal.role}`);
  }
}
