// What playbooks and tests use from the runner.
export { runPlaybookCli, type PlaybookCli, type CliDeps } from './main.ts';
export { runPlaybook, exitCodeFor, type RunPlaybookInput } from './run.ts';
export { knownTags } from './select.ts';
