// The modules a role uses with ctx.task(name, module).
export { command } from './command.ts';
export { file, directory } from './file.ts';
export { copy } from './copy.ts';
export { template, renderTemplate } from './template.ts';
export { apt } from './apt.ts';
export { service } from './service.ts';
export { httpCheck } from './http.ts';
export { image } from './image.ts';
export { composeUp } from './compose.ts';
export { unifiedDiff } from './diff.ts';
