// Parse YAML with a real parser (python3's yaml module) to check our emitter's output
// as another tool reads it. null when python3-yaml is not installed: tests skip.
import { spawnSync } from 'node:child_process';

const SCRIPT = 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))';
const available = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;

export const parseYaml: ((text: string) => unknown) | null = available
  ? (text) => {
      const r = spawnSync('python3', ['-c', SCRIPT], { input: text, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`YAML does not parse: ${r.stderr}`);
      return JSON.parse(r.stdout);
    }
  : null;

export const noYamlParser = !parseYaml && 'python3-yaml not installed';
