/**
 * npm run api-key -- --id <holder> --role <viewer|auditor|manager>
 * Makes a new random API key: give the key to its holder, put the entry in API_KEYS.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashApiKey } from '../../api/src/auth/credentials';
import { ROLES, isRole } from '../../api/src/auth/principal';
import { fail } from './sqlite-location';

function main(): void {
  const { values } = parseArgs({ options: { id: { type: 'string' }, role: { type: 'string' } } });
  const { id, role } = values;
  if (id === undefined || !/^[^:,\s]+$/.test(id) || !isRole(role)) {
    throw new Error(
      `usage: npm run api-key -- --id <holder, no ":" or ","> --role <${ROLES.join('|')}>`,
    );
  }
  const key = randomBytes(32).toString('base64url');
  console.log(`key (give it to ${id}; it is shown only now): ${key}`);
  console.log(`API_KEYS entry: ${id}:${role}:${hashApiKey(key)}`);
}

try {
  main();
} catch (error) {
  fail(error);
}
