import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toYaml } from '../../../roles/yaml.ts';

test('toYaml writes nested maps and lists, quoting ambiguous strings', () => {
  const text = toYaml({
    a: 'plain',
    b: ['x', { k: 'v', size: 1 }, []],
    c: { yes: 'yes', num: '15', colon: 'a: b', expr: 'up == 0', empty: {} },
    d: null,
    skip: undefined,
  });
  assert.equal(
    text,
    [
      'a: plain',
      'b:',
      '  - x',
      '  - k: v',
      '    size: 1',
      '  - []',
      'c:',
      "  'yes': 'yes'",
      "  num: '15'",
      "  colon: 'a: b'",
      '  expr: up == 0',
      '  empty: {}',
      'd: null',
      '',
    ].join('\n'),
  );
});

test('toYaml quotes quotes and control characters', () => {
  assert.equal(toYaml({ q: `it's "x"`, nl: 'a\nb' }), `q: 'it''s "x"'\nnl: "a\\nb"\n`);
});

test('toYaml quotes what YAML would read as syntax', () => {
  assert.equal(toYaml({ a: '- x', b: '-', c: '@at', d: '--flag=1', e: 'x #y', f: '' }), "a: '- x'\nb: '-'\nc: '@at'\nd: --flag=1\ne: 'x #y'\nf: ''\n");
});

test('toYaml handles lists of lists and a header', () => {
  assert.equal(toYaml({ l: [['a', 'b']] }, 'generated'), '# generated\nl:\n  - - a\n    - b\n');
});
