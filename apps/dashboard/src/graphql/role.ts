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

export async function probeAccess(hasCredential: boolean): Promise<Access> {
  try {
    await request(ProbeDocument);
  } catch (error) {
    if (codeOf(error) === 'UNAUTHENTICATED') {
      return { kind: 'needs-sign-in', rejected: hasCredential };
    }
    throw error;
  }
  try {
    await request(ProbeAuditorDocument);
  } catch (error) {
    if (codeOf(error) === 'FORBIDDEN') return { kind: 'signed-in', role: 'viewer', open: false };
    throw error;
  }
  try {
    await request(ProbeManagerDocument);
    throw new Error('the role probe was recorded; it never should be');
  } catch (error) {
    const code = codeOf(error);
    if (code === 'FORBIDDEN') return { kind: 'signed-in', role: 'auditor', open: false };
    if (code === 'BAD_USER_INPUT')
      return { kind: 'signed-in', role: 'manager', open: !hasCredential };
    throw error;
  }
}
