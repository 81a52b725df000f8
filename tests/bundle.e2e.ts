import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

// The build script's helper, plain CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { asciiRegExps } = require(join(ROOT, 'apps', 'api', 'scripts', 'ascii-regexps.js')) as {
  asciiRegExps(text: string): string;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { inferredNamesUnwrapped, unneededWrappers } = require(
  join(ROOT, 'apps', 'api', 'scripts', 'inferred-names.js'),
) as {
  inferredNamesUnwrapped(path: string, text: string): string;
  unneededWrappers(text: string): [number, number][];
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

  it('turns allocation-site pretenuring off before it loads the server', () => {
    const main = readFileSync(join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js'), 'utf8');
    const flag = main.indexOf('setFlagsFromString)("--no-allocation-site-pretenuring")');
    expect(flag).toBeGreaterThan(-1);
    expect(flag).toBeLessThan(main.indexOf('require.resolve("./server")'));
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

describe('inferredNamesUnwrapped (the bundle step that takes out needless __name wrappers)', () => {
  const helper = 'var __name=(t,v)=>Object.defineProperty(t,"name",{value:v,configurable:!0});';

  it('keeps every name and every column, and a wrapper only where the language would not name the function so', () => {
    const code =
      'var f=__name(()=>1,"f"),g=__name(()=>1,"h");var x;x=__name(function(){},"x");' +
      'var o={p:__name(async()=>1,"p"),"q r":__name(function(){},"q r")};' +
      'var list=[__name(()=>1,"inList")];var c=__name(class{},"c");';
    const out = inferredNamesUnwrapped('sample.js', helper + code);
    expect(out).toHaveLength(helper.length + code.length);
    expect(out.indexOf('function(){}')).toBe((helper + code).indexOf('function(){}'));
    const names = new Function(
      `${out} return [f.name, g.name, x.name, o.p.name, o["q r"].name, list[0].name, c.name];`,
    )();
    expect(names).toEqual(['f', 'h', 'x', 'p', 'q r', 'inList', 'c']);
    // Kept: a binding of another name (esbuild renamed it), a function in a list, a class.
    expect(out.match(/__name\(/g)).toHaveLength(3);
    expect(out).toContain('g=__name(()=>1,"h")');
  });

  it.each([['main.js'], ['server.js'], [join('read-model', 'start-files-worker.js')]])(
    '%s holds none of them',
    (file) => {
      const text = readFileSync(join(ROOT, 'dist', 'apps', 'api', 'src', file), 'utf8');
      expect(unneededWrappers(text)).toEqual([]);
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
