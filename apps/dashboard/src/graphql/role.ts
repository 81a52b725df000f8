/**
 * What the signed-in credential may do. The API has no "who am I" field, so the page asks
 * the least question each role may ask and reads the error codes (never the messages).
 */
import { ProbeAuditorDocument, ProbeDocument, ProbeManagerDocument } from './generated';
import { GraphQLErrors, request } from './client';

export type Role = 'viewer' | 'auditor' | 'manager';

export type Access =
  | { readonly kind: 'signed-in'; readonly role: Role; readonly open: boolean }
  | { readonly kind: 'needs-sign-in'; readonly rejected: boolean };

const codeOf = (error: unknown): string | undefined =>
  error instanceof GraphQLErrors ? error.code : undefined;

/**
 * The three questions are asked at once (each answers alone), so finding the role costs
 * one round trip; they are read in order: the first says whether the credential is taken.
 */
export async function probeAccess(hasCredential: boolean): Promise<Access> {
  const settled = await Promise.allSettled([
    request(ProbeDocument),
    request(ProbeAuditorDocument),
    request(ProbeManagerDocument),
  ]);
  const [viewer, auditor, manager] = settled;
  if (viewer!.status === 'rejected') {
    if (codeOf(viewer!.reason) === 'UNAUTHENTICATED') {
      return { kind: 'needs-sign-in', rejected: hasCredential };
    }
    throw viewer!.reason;
  }
  if (auditor!.status === 'rejected') {
    if (codeOf(auditor!.reason) === 'FORBIDDEN') {
      return { kind: 'signed-in', role: 'viewer', open: false };
    }
    throw auditor!.reason;
  }
  if (manager!.status === 'fulfilled')
    throw new Error('the role probe was recorded; it never should be');
  const code = codeOf(manager!.reason);
  if (code === 'FORBIDDEN') return { kind: 'signed-in', role: 'auditor', open: false };
  if (code === 'BAD_USER_INPUT')
    return { kind: 'signed-in', role: 'manager', open: !hasCredential };
  throw manager!.reason;
}
