// Runs the MiniWebApp's own suite (webapp/test, node:test) so the root `npm test` covers it.
// webapp/ has its own package.json; the root `npm ci` does not install it, so this installs it when missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const WEBAPP_DIR = join(import.meta.dirname, '..', '..', 'webapp');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// The root .npmrc sets node-options=--import=tsx for root scripts; the webapp resolves its own tsx instead.
function webappEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runNpm(args: string[]) {
  return spawnSync(NPM, args, { cwd: WEBAPP_DIR, env: webappEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

test('webapp: npm test passes in webapp/', { timeout: 10 * 60_000 }, () => {
  if (!existsSync(join(WEBAPP_DIR, 'node_modules', 'better-sqlite3'))) {
    const install = runNpm(['ci', '--no-audit', '--no-fund']);
    assert.equal(install.status, 0, `npm ci in webapp/ failed:\n${install.stdout}\n${install.stderr}`);
  }
  const result = runNpm(['test']);
  const output = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 0, `webapp tests failed (cd webapp && npm test):\n${output}`);
  const passed = /^# pass (\d+)/m.exec(output);
  assert.ok(passed && Number(passed[1]) > 0, `webapp test run reported no passing tests:\n${output}`);
});
