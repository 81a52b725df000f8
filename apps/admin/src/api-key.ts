/**
 * npm run api-key -- --id <holder> --role <viewer|auditor|manager>
 * Makes a new random API key: give the key to its holder, put the entry in API_KEYS.
 */
import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../../api/src/auth/credentials';
import { ROLES, isRole } from '../../api/src/auth/principal';
import { USAGE_ERROR, parseCommandLine } from './command-line';
import { fail } from './sqlite-location';

const USAGE = `usage: npm run api-key -- --id <holder, no ":" or ","> --role <${ROLES.join('|')}>
Makes a new random API key: give the key to its holder, put the entry in API_KEYS.`;

function main(): void {
  const { values } = parseCommandLine({
    usage: USAGE,
    options: { id: { type: 'string' }, role: { type: 'string' } },
    positionals: { min: 0, max: 0 },
  });
  const { id, role } = values;
  if (id === undefined || !/^[^:,\s]+$/.test(id) || !isRole(role)) {
    console.error(`error: --id and --role are needed (${USAGE.split('\n')[0]})`);
    process.exit(USAGE_ERROR);
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
