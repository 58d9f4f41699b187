import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, staleBuilds } from './build-state.js';

let root: string;

function pkg(dir: string, name: string, deps: string[] = [], devDeps: string[] = []): string {
  const d = path.join(root, dir);
  fs.mkdirSync(path.join(d, 'src'), { recursive: true });
  const asMap = (xs: string[]) => Object.fromEntries(xs.map((x) => [x, 'workspace:*']));
  fs.writeFileSync(path.join(d, 'package.json'), JSON.stringify({ name, dependencies: asMap(deps), devDependencies: asMap(devDeps) }));
  fs.writeFileSync(path.join(d, 'src', 'index.ts'), 'export {};\n');
  return d;
}

function setTime(file: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, t, t);
}

function build(d: string, secondsAgo = 0): void {
  fs.mkdirSync(path.join(d, 'dist'), { recursive: true });
  const info = path.join(d, 'dist', '.tsbuildinfo');
  fs.writeFileSync(info, '{}');
  setTime(info, secondsAgo);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-build-state-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('launcher', () => {
  it('build state — a service and its libraries built after their sources are current', () => {
    const lib = pkg('libs/a', '@x/a');
    const svc = pkg('services/s', '@x/svc-s', ['@x/a']);
    for (const d of [lib, svc]) setTime(path.join(d, 'src', 'index.ts'), 60);
    build(lib);
    build(svc);
    expect(staleBuilds(root, svc)).toEqual([]);
    expect(() => assertBuilt(root, [svc])).not.toThrow();
  });

  it('build state — a run-time library never built, or edited after its build, is stale', () => {
    pkg('libs/a', '@x/a');
    const other = pkg('libs/b', '@x/b');
    const svc = pkg('services/s', '@x/svc-s', ['@x/a', '@x/b']);
    setTime(path.join(svc, 'src', 'index.ts'), 60);
    build(svc);
    build(other, 30); // other/src/index.ts was written just now, after this build
    const stale = staleBuilds(root, svc);
    expect(stale.map((s) => [s.name, s.reason])).toEqual([
      ['@x/a', 'not built'],
      ['@x/b', 'src/index.ts changed after the last build'],
    ]);
    expect(() => assertBuilt(root, [svc])).toThrow(/run `make build`[\s\S]*@x\/a \(libs\/a\): not built/);
  });

  it('build state — test files and devDependencies do not make a build stale', () => {
    const testOnly = pkg('libs/t', '@x/testing');
    const svc = pkg('services/s', '@x/svc-s', [], ['@x/testing']);
    setTime(path.join(svc, 'src', 'index.ts'), 60);
    build(svc, 30);
    fs.writeFileSync(path.join(svc, 'src', 'index.test.ts'), '// edited after the build\n');
    expect(staleBuilds(root, svc)).toEqual([]);
    expect(fs.existsSync(path.join(testOnly, 'dist'))).toBe(false);
  });
});
