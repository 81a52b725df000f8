import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from './rules';

/** Every rule name the domain can throw: the members of its RuleName union. */
function domainRuleNames(): Set<string> {
  const text = readFileSync(
    join(__dirname, '..', '..', '..', 'libs', 'domain', 'src', 'common', 'errors.ts'),
    'utf8',
  );
  const union = /export type RuleName =([^;]+);/.exec(text)![1]!;
  return new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]!));
}

describe('rule sentences', () => {
  it('has a sentence for every rule the domain names', () => {
    const names = domainRuleNames();
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) expect(RULES).toHaveProperty(name);
  });

  it('covers the second version too', () => {
    for (const name of [
      'NOT_A_PARTY',
      'DUPLICATE_PARTY',
      'INTERVENTION_EXISTS',
      'ARRANGEMENT_ENDS_BEFORE_AGREED',
      'EXTENSION_ALREADY_PASSED',
      'NOT_YET_EXPIRED',
      'PARTY_NOT_IN_GROUP',
      'GROUP_DISSOLVED',
    ]) {
      expect(RULES[name]!.sentence.length).toBeGreaterThan(10);
    }
  });
});
