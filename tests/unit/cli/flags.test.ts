import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMON_FLAGS, FlagError, commonFlags, helpText, parseFlags, scriptArgs } from '../../../lib/cli/flags.ts';

test('defaults', () => {
  assert.deepEqual(parseFlags([]).options, { check: false, diff: false, tags: [], skipTags: [], limit: [], forks: 0, verbose: false });
});

test('every flag, both spellings', () => {
  const f = parseFlags(['--env', 'aws', '-i', 'inv.ts', '--tags=nginx, app', '--skip-tags', 'grafana', '--limit', 'web1,monitoring', '--check', '--diff', '--forks', '4', '--json', 'out.json', '--verbose', '--yes']);
  assert.deepEqual(f.options, { check: true, diff: true, tags: ['nginx', 'app'], skipTags: ['grafana'], limit: ['web1', 'monitoring'], forks: 4, verbose: true });
  assert.equal(f.env, 'aws');
  assert.equal(f.inventory, 'inv.ts');
  assert.equal(f.json, 'out.json');
  assert.equal(f.yes, true);
});

test('bad input is a FlagError naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--frobnicate'], /unknown flag '--frobnicate'/],
    [['--forks', 'two'], /--forks: expected a whole number, got 'two'/],
    [['--forks', '0'], /--forks: must be at least 1/],
    [['--tags'], /--tags needs a value/],
    [['--tags', '--check'], /--tags needs a value/],
    [['--tags', ','], /--tags: expected a comma-separated list/],
    [['--check=yes'], /--check takes no value/],
    [['stray'], /unexpected argument 'stray'/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseFlags(argv), (e: unknown) => e instanceof FlagError && message.test(e.message), argv.join(' '));
});

test('playbook flags are parsed and listed in --help', () => {
  const hosts = { name: 'hosts', type: 'integer' as const, value: 'N', min: 1, description: 'how many lab hosts' };
  assert.equal(parseFlags(['--hosts', '3'], [hosts]).values.hosts, 3);
  const help = helpText('lab.ts: create the lab and deploy to it', [hosts]);
  for (const f of [...COMMON_FLAGS, hosts]) {
    assert.match(help, new RegExp(`--${f.name}\\b.*${f.description.slice(0, 20).replace(/[()$]/g, '.')}`));
  }
});

test('scriptArgs drops node, zx and the script path', () => {
  assert.deepEqual(scriptArgs(['node', '/x/node_modules/zx/build/cli.js', 'playbooks/site.ts', '--check']), ['--check']);
  assert.deepEqual(scriptArgs(['node', 'playbooks/site.ts', '--json', 'a.js']), ['--json', 'a.js']);
});

test('a playbook narrowed to some common flags refuses the others by name and lists only its own', () => {
  const region = { name: 'region', type: 'string' as const, value: 'REGION', description: 'AWS region' };
  const common = commonFlags('env', 'inventory', 'yes', 'help');
  const f = parseFlags(['--env', 'aws', '-i', 'inv.ts', '-y', '--region', 'eu-west-3'], [region], common);
  assert.deepEqual([f.env, f.inventory, f.yes, f.values.region], ['aws', 'inv.ts', true, 'eu-west-3']);
  const accepted = 'it takes only --env, -i/--inventory, -y/--yes, -h/--help, --region';
  for (const argv of [['--check'], ['--diff'], ['--tags', 'x'], ['--limit=web1'], ['--forks', '2'], ['--json', 'r.json'], ['-v']]) {
    const given = argv[0].split('=')[0];
    assert.throws(() => parseFlags(argv, [region], common), (e: unknown) => e instanceof FlagError && e.message === `${given}: not accepted by this playbook; ${accepted}`, argv.join(' '));
  }
  assert.throws(() => parseFlags(['--frobnicate'], [region], common), /unknown flag '--frobnicate'/);
  const help = helpText('teardown', [region], common);
  assert.deepEqual([...help.matchAll(/--([a-z-]+)/g)].map((m) => m[1]), ['env', 'inventory', 'yes', 'help', 'region']);
  assert.throws(() => commonFlags('nope'), /no common flag --nope/);
});
