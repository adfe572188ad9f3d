// A small unified diff (LCS over lines) for --diff output. Config files are
// short; above MAX_CELLS the table would cost too much memory, so we fall
// back to a whole-file replacement hunk, which is still a valid diff.

const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

export interface DiffLabels {
  oldLabel?: string;
  newLabel?: string;
  context?: number;
}

/** Unified diff of two texts; '' when they are equal. */
export function unifiedDiff(oldText: string, newText: string, labels: DiffLabels = {}): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = editScript(a, b);
  const hunks = groupHunks(ops, labels.context ?? 3);
  const header = `--- ${labels.oldLabel ?? 'before'}\n+++ ${labels.newLabel ?? 'after'}\n`;
  return header + hunks.join('');
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  // Common prefix and suffix first: most edits touch a few lines in a long file.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  const tail: Op[] = a.slice(endA).map((line) => ({ kind: ' ', line }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  return [...head, ...lcsOps(midA, midB), ...tail];
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    return [...a.map((line): Op => ({ kind: '-', line })), ...b.map((line): Op => ({ kind: '+', line }))];
  }
  // lengths[i][j] = LCS length of a[i..] and b[j..], stored flat.
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++] });
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
      ops.push({ kind: '-', line: a[i++] });
    } else {
      ops.push({ kind: '+', line: b[j++] });
    }
  }
  while (i < n) ops.push({ kind: '-', line: a[i++] });
  while (j < m) ops.push({ kind: '+', line: b[j++] });
  return ops;
}

function groupHunks(ops: Op[], context: number): string[] {
  const hunks: string[] = [];
  let idx = 0;
  while (idx < ops.length) {
    while (idx < ops.length && ops[idx].kind === ' ') idx++;
    if (idx >= ops.length) break;
    const from = Math.max(0, idx - context);
    // Extend the hunk while the next change is within 2*context unchanged lines.
    let to = idx;
    let lastChange = idx;
    while (to < ops.length && to - lastChange <= 2 * context) {
      if (ops[to].kind !== ' ') lastChange = to;
      to++;
    }
    const end = Math.min(ops.length, lastChange + context + 1);
    hunks.push(formatHunk(ops, from, end));
    idx = end;
  }
  return hunks;
}

function formatHunk(ops: Op[], from: number, end: number): string {
  let oldStart = 1;
  let newStart = 1;
  for (let k = 0; k < from; k++) {
    if (ops[k].kind !== '+') oldStart++;
    if (ops[k].kind !== '-') newStart++;
  }
  let oldCount = 0;
  let newCount = 0;
  let body = '';
  for (let k = from; k < end; k++) {
    const op = ops[k];
    if (op.kind !== '+') oldCount++;
    if (op.kind !== '-') newCount++;
    body += `${op.kind}${op.line}\n`;
  }
  const range = (start: number, count: number) => (count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`);
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${body}`;
}
