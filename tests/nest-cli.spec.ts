import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

interface NestProject {
  readonly type: 'application' | 'library';
  readonly root: string;
  readonly sourceRoot: string;
  readonly entryFile: string;
}

describe('nest-cli.json', () => {
  const config = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
    readonly projects: Record<string, NestProject>;
  };
  const projects = Object.values(config.projects);

  it('names an entry file that exists for every project', () => {
    for (const project of projects) {
      expect(existsSync(join(ROOT, project.sourceRoot, `${project.entryFile}.ts`))).toBe(true);
    }
  });

  it('names every Nest-built app and every library (the dashboard is built by esbuild)', () => {
    const roots = new Set(projects.map((project) => project.root));
    const expected = [
      ...readdirSync(join(ROOT, 'apps'))
        .filter((name) => name !== 'dashboard')
        .map((name) => `apps/${name}`),
      ...readdirSync(join(ROOT, 'libs')).map((name) => `libs/${name}`),
    ];
    expect(expected.filter((root) => !roots.has(root))).toEqual([]);
  });
});
