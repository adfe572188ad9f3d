// Releases on a host, shared by the roles that make them (compose), judge them
// (verify) and restore them (rollback): where they live and the commands that
// switch, read and prune them. Ids are checked; values go in as arguments.
import { REMOTE_ROOT } from './stack-vars.ts';

/**
 * Each deploy writes releases/<id>/compose.yaml and points compose.yaml at it, so the
 * previous release can be restored by pointing back (keep vars.compose.keepReleases of them).
 */
export function releaseComposePath(releaseId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(releaseId)) throw new Error(`release id ${JSON.stringify(releaseId)}: letters, digits, . _ - only`);
  return `${REMOTE_ROOT}/releases/${releaseId}/compose.yaml`;
}

/** The release before a switch, while the new one is unverified: what verify restores on failure. */
export const PENDING_ROLLBACK = `${REMOTE_ROOT}/releases/pending-rollback`;

/** Written when the new release never came up healthy: verify restores at once instead of waiting. */
export const UNHEALTHY_MARK = `${REMOTE_ROOT}/releases/unhealthy`;

/** Release ids in the order they went live, one a line: what `rollback` walks back through. */
export const RELEASE_HISTORY = `${REMOTE_ROOT}/releases/history`;

/** Releases that failed verification and were rolled back: `rollback` never returns to them. */
export const FAILED_RELEASES = `${REMOTE_ROOT}/releases/failed`;

// Refuses a release folder that is gone (pruned): a dangling compose.yaml would stop every deploy.
const SWITCH_SCRIPT = [
  'cd "$(dirname "$2")" || exit 1',
  '[ -f "$1" ] || { echo "release $3 is not on this host ($1 is missing)" >&2; exit 1; }',
  'ln -sfn "$1" "$2.tmp" && mv -Tf "$2.tmp" "$2" && echo "$3" >> "$4"',
].join('\n');

/**
 * Point compose.yaml at a release: a relative symlink made beside it and renamed over
 * it (atomic, unlike ln -sfn on an existing link), then the id appended to the history.
 */
export function switchReleaseArgv(releaseId: string): { argv: string[]; unless: string[] } {
  releaseComposePath(releaseId); // validates the id
  const target = `releases/${releaseId}/compose.yaml`;
  const link = `${REMOTE_ROOT}/compose.yaml`;
  return {
    argv: ['sh', '-c', SWITCH_SCRIPT, 'sh', target, link, releaseId, RELEASE_HISTORY],
    // Already pointing there: nothing to do. The target is passed as $1, not pasted into the script.
    unless: ['sh', '-c', '[ "$(readlink "$2")" = "$1" ]', 'sh', target, link],
  };
}

/**
 * Remove release folders beyond the newest `keep` of the history; never the current one
 * nor the one verify would restore (pending-rollback). Prints the ids removed. Only
 * folders named like release ids are considered.
 */
export function pruneReleasesArgv(keep: number): string[] {
  const script = [
    'cd "$1/releases" || exit 0',
    'current=$(readlink ../compose.yaml | sed -n "s|^releases/\\([^/]*\\)/compose.yaml$|\\1|p")',
    'keepers=$(tac history 2>/dev/null | awk \'!seen[$0]++\' | head -n "$2")',
    'for d in */; do id=${d%/}',
    '  case "$id" in *[!0-9a-f]*) continue;; esac',
    '  [ "$id" = "$current" ] && continue',
    '  [ "$id" = "$(cat pending-rollback 2>/dev/null)" ] && continue',
    '  printf "%s\\n" "$keepers" | grep -qx "$id" && continue',
    '  rm -rf -- "$id" && echo "$id"',
    'done',
  ].join('\n');
  return ['sh', '-c', script, 'sh', REMOTE_ROOT, String(keep)];
}

/** Mark a release as failed (after verify restored the one before it). */
export const markFailedArgv = (releaseId: string): string[] => {
  releaseComposePath(releaseId);
  return ['sh', '-c', 'echo "$1" >> "$2"', 'sh', releaseId, FAILED_RELEASES];
};

/** The release compose.yaml points at now ('' when none), read before switching, for rollback. */
export const currentReleaseArgv = (): string[] => ['sh', '-c', 'readlink "$1" | sed -n "s|^releases/\\([^/]*\\)/compose.yaml$|\\1|p"', 'sh', `${REMOTE_ROOT}/compose.yaml`];
