import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectory } from './support/test-server';

const ROOT = join(__dirname, '..');

// The build's helper, plain CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { inputsHash, isCurrent, write } = require(
  join(ROOT, 'apps', 'api', 'scripts', 'build-inputs.js'),
) as {
  inputsHash(root?: string): string;
  isCurrent(root?: string): boolean;
  write(root?: string): void;
};

describe('what a build was made from (dist/.build-inputs)', () => {
  const directory = temporaryDirectory();
  afterAll(() => directory.remove());

  it('changes with any source, and not with what a build or an install writes', () => {
    const root = join(directory.path, 'checkout');
    const put = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    put('apps/api/src/main.ts', 'main');
    put('libs/domain/src/rules.ts', 'rules');
    put('package-lock.json', '{}');
    put('dist/apps/api/src/main.js', 'built');
    const first = inputsHash(root);

    put('dist/apps/api/src/main.js', 'built again');
    put('apps/dashboard/node_modules/.cache/x', 'cache');
    expect(inputsHash(root)).toBe(first);

    expect(isCurrent(root)).toBe(false);
    write(root);
    expect(isCurrent(root)).toBe(true);

    put('libs/domain/src/rules.ts', 'rules changed');
    expect(inputsHash(root)).not.toBe(first);
    expect(isCurrent(root)).toBe(false);
    put('libs/domain/src/rules.ts', 'rules');
    expect(inputsHash(root)).toBe(first);

    renameSync(join(root, 'libs/domain/src/rules.ts'), join(root, 'libs/domain/src/moved.ts'));
    expect(inputsHash(root)).not.toBe(first);
    renameSync(join(root, 'libs/domain/src/moved.ts'), join(root, 'libs/domain/src/rules.ts'));

    put('package-lock.json', '{"lockfileVersion":3}');
    expect(inputsHash(root)).not.toBe(first);
  });

  it('is written by the build, so a tool beside a running server leaves dist/ as it is', () => {
    // jest's global setup ran `npm run build`: its last step records the inputs.
    expect(isCurrent()).toBe(true);
    const built = (file: string) =>
      statSync(join(ROOT, 'dist', 'apps', 'api', 'src', file)).mtimeMs;
    const before = [built('main.js'), built('server.js')];
    const tool = spawnSync('npm', ['run', '--silent', 'api-key', '--', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(tool.status).toBe(0);
    // No build ran: nothing written to dist/, and none of the build's own output.
    expect([built('main.js'), built('server.js')]).toEqual(before);
    expect(tool.stdout + tool.stderr).not.toMatch(/dashboard: first-load/);
    expect(tool.stdout).toMatch(/api-key/);
  });
});
