// The Dockerfile is not built here (no container engine); these checks read it: stages, the APP
// argument, a non-root runtime without shell commands, and what the runtime image contains.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentSpec } from '../src/k8s-types';
import { renderKustomize } from '../src/render-kustomize';
import { apps, kustomizations, repoRoot } from './repo-paths';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions per stage (line continuations joined, comments dropped). */
function stages(text: string): { from: string; name?: string; instructions: Instruction[] }[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [from = '', , name] = args.split(/\s+/);
      result.push({ from, ...(name ? { name } : {}), instructions: [] });
    } else result.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return result;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const parsed = stages(dockerfile);
const runtime = parsed.at(-1);
const build = parsed.find((stage) => stage.name === 'build');
const of = (stage: typeof runtime, keyword: string) =>
  (stage?.instructions ?? []).filter((instruction) => instruction.keyword === keyword).map((i) => i.args);

describe('the Dockerfile', () => {
  it('has a build stage that installs with npm ci and bundles the APP', () => {
    expect(build).toBeDefined();
    expect(of(build, 'ARG')).toContain('APP');
    expect(of(build, 'RUN').join('\n')).toMatch(/npm ci/);
    expect(of(build, 'RUN').join('\n')).toMatch(/node tools\/scripts\/build-app\.mjs "\$\{APP\}"/);
  });

  it('ends in a Node 20 runtime stage with no shell commands, running as a non-root user', () => {
    expect(parsed.length).toBeGreaterThanOrEqual(2);
    expect(runtime?.name).toBe('runtime');
    expect(runtime?.from).toMatch(
      /^(gcr\.io\/distroless\/nodejs\$\{NODE_MAJOR\}|node:\$\{NODE_MAJOR\}-slim)/,
    );
    expect(dockerfile).toMatch(/^ARG NODE_MAJOR=20$/m);
    expect(of(runtime, 'RUN')).toEqual([]);
    const users = of(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9][0-9]*(:[1-9][0-9]*)?$/);
    expect(
      of(runtime, 'CMD')
        .concat(of(runtime, 'ENTRYPOINT'))
        .every((args) => args.startsWith('[')),
    ).toBe(true);
  });

  it('copies only the production node_modules and the app bundle into the runtime image', () => {
    const copies = of(runtime, 'COPY');
    expect(copies.every((args) => args.startsWith('--from='))).toBe(true);
    const sources = copies.map((args) => args.split(/\s+/)[1]);
    expect(sources).toEqual([
      '/src/node_modules',
      '/src/package.json',
      '/src/dist/apps/${APP}',
      '/src/dist/start.cjs',
    ]);
    const prodDeps = parsed.find((stage) => stage.name === 'prod-deps');
    expect(copies[0]).toMatch(/^--from=prod-deps /);
    expect(of(prodDeps, 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
  });

  it('runs as the uid the Deployments require, and every Deployment starts its own bundle', () => {
    const uid = Number(of(runtime, 'USER')[0]?.split(':')[0]);
    for (const deployment of renderKustomize(kustomizations.base).filter((m) => m.kind === 'Deployment')) {
      const pod = (deployment['spec'] as DeploymentSpec).template?.spec;
      expect(pod?.securityContext?.runAsUser).toBe(uid);
      expect(pod?.containers?.[0]?.args).toEqual([`dist/apps/${deployment.metadata.name}/main.js`]);
    }
  });

  it('keeps node_modules, dist and local state out of the build context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.contextforge']));
    for (const app of apps)
      expect(readFileSync(join(repoRoot, 'apps', app, 'src', 'main.ts'), 'utf8')).toBeTruthy();
  });
});
