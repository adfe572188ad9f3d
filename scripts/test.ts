// The README's test command: `npm test` (all suites) or `npm test -- unit|integration|e2e`.
// Node 20's --test takes no globs, so the files are collected here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const SUITES = ['unit', 'integration', 'e2e'] as const;
type Suite = (typeof SUITES)[number];

function testFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const root = join(import.meta.dirname, '..');
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const a of asked) {
  if (!SUITES.includes(a as Suite)) {
    console.error(`unknown suite '${a}': expected one of ${SUITES.join(', ')}`);
    process.exit(2);
  }
}
const suites: Suite[] = asked.length ? (asked as Suite[]) : [...SUITES];

if (suites.some((s) => s !== 'unit')) {
  // Integration and e2e suites need sshd, docker, nginx, promtool: install what is missing.
  const { ensureSystemDeps } = await import('../lib/setup/system-deps.ts');
  await ensureSystemDeps({ purpose: 'tests' });
}

let failed = false;
for (const suite of suites) {
  const files = testFiles(join(root, 'tests', suite)).map((f) => relative(root, f));
  if (files.length === 0) continue;
  console.log(`\n== ${suite}: ${files.length} files`);
  const concurrency = suite === 'unit' ? '4' : '1';
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
