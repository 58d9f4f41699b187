// Proves libs/contracts/src/gen is what `buf generate` makes from proto/ today: regenerate into a
// temporary folder and compare byte for byte. Exit 1 names every file that differs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const committed = path.join(root, 'libs/contracts/src/gen');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-gen-'));
const template = fs.readFileSync(path.join(root, 'proto/buf.gen.yaml'), 'utf8').replace(
  'out: libs/contracts/src/gen',
  `out: ${tmp}`,
);
const templatePath = path.join(tmp, 'buf.gen.yaml');
fs.writeFileSync(templatePath, template);
execFileSync(path.join(root, 'node_modules/.bin/buf'), ['lint', 'proto'], { cwd: root, stdio: 'inherit' });
execFileSync(path.join(root, 'node_modules/.bin/buf'), ['generate', 'proto', '--template', templatePath], {
  cwd: root,
  stdio: 'inherit',
});
fs.rmSync(templatePath);

const list = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).map(String).sort()
    : [];
const want = list(tmp);
const have = list(committed);
const problems = [];
for (const f of new Set([...want, ...have])) {
  const a = path.join(tmp, f);
  const b = path.join(committed, f);
  if (!fs.existsSync(b)) problems.push(`missing: ${f}`);
  else if (!fs.existsSync(a)) problems.push(`stale (no longer generated): ${f}`);
  else if (!fs.readFileSync(a).equals(fs.readFileSync(b))) problems.push(`out of date: ${f}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
if (problems.length > 0) {
  console.error(`generated contracts differ from proto/ — run \`make gen\`:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`generated contracts are current (${want.length} files)`);
