import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

// The build script's helper, plain CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { asciiRegExps } = require(join(ROOT, 'apps', 'api', 'scripts', 'ascii-regexps.js')) as {
  asciiRegExps(text: string): string;
};

/** The value of a JavaScript expression. */
function evaluate(expression: string): unknown {
  return new Function(`return (${expression});`)();
}

describe('the bundled server', () => {
  it.each([['main.js'], ['server.js'], [join('read-model', 'start-files-worker.js')]])(
    '%s is ASCII only, so that V8 holds its source one byte per character',
    (file) => {
      const bytes = readFileSync(join(ROOT, 'dist', 'apps', 'api', 'src', file));
      const beyond = bytes.findIndex((byte) => byte > 0x7f);
      expect(beyond === -1 ? 'ASCII' : bytes.subarray(beyond - 60, beyond + 20).toString()).toBe(
        'ASCII',
      );
    },
  );

  it("holds graphql's instanceOf in its production form, without the check for a second copy", () => {
    const server = readFileSync(join(ROOT, 'dist', 'apps', 'api', 'src', 'server.js'), 'utf8');
    // graphql decides once, at load: the development form reads NODE_ENV there.
    expect(server.match(/isProduction=[^,;]*/g)).toEqual(['isProduction=!0']);
  });

  it.each([['main.js'], ['server.js'], [join('read-model', 'start-files-worker.js')]])(
    "%s names a function only when its own name is another (esbuild's keepNames helper)",
    (file) => {
      const text = readFileSync(join(ROOT, 'dist', 'apps', 'api', 'src', file), 'utf8');
      const helpers = text.match(/var __name=[^;]*;/g) ?? [];
      expect(helpers).toHaveLength(1);
      const defined: string[] = [];
      const defineProperty = (target: object, key: string, descriptor: PropertyDescriptor) => {
        defined.push(String(descriptor.value));
        return Object.defineProperty(target, key, descriptor);
      };
      const name = new Function('__defProp', `${helpers[0]} return __name;`)(defineProperty) as (
        target: object,
        value: string,
      ) => { name: string };

      const kept = function handler() {};
      expect(name(kept, 'handler')).toBe(kept);
      const renamed = class Logger2 {};
      expect(name(renamed, 'Logger')).toBe(renamed);
      expect([renamed.name, kept.name, defined]).toEqual(['Logger', 'handler', ['Logger']]);
    },
  );
});

describe('asciiRegExps (the bundle step that writes regular expressions in ASCII)', () => {
  const samples = ['°', '12°30′', '‘x“', '😀', 'a😀b', '\ud83d', 'plain', ''];

  it.each([
    ['/[‘“!%^<>`\\n]/'],
    ["/^([0-9]{1,3})°\\s*([0-9]{1,3})['′]$/"],
    ['/😀/'],
    ['/[😀]/u'],
    ['/^.$/u'],
    ['/(?<degrees>°)+/g'],
  ])('keeps %s the same expression, in ASCII', (literal) => {
    const escaped = asciiRegExps(`const r = ${literal};`);
    expect(escaped).not.toMatch(/[\u0080-\uffff]/);
    const before = evaluate(literal) as RegExp;
    const after = evaluate(escaped.slice('const r = '.length, -1)) as RegExp;
    expect(after.flags).toBe(before.flags);
    for (const sample of samples) {
      expect([sample, sample.match(after)]).toEqual([sample, sample.match(before)]);
    }
  });

  it('leaves everything that is not a regular expression as it is', () => {
    const text = 'const a = "°" / 2 / 3; // ‘quoted’\nconst b = `“${a}”`; /* ° */ const c = /x/;';
    expect(asciiRegExps(text)).toBe(text);
  });

  it('escapes only the literal, in a module that also divides', () => {
    expect(asciiRegExps('x = a / b; y = /°/.test(s) / 2;')).toBe(
      'x = a / b; y = /\\u00b0/.test(s) / 2;',
    );
  });

  it('leaves a text that does not tokenize as it is', () => {
    const text = 'const r = /°/; const s = "never closed;';
    expect(asciiRegExps(text)).toBe(text);
  });
});
