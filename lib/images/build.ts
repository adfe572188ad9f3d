// Offline images built on the controller from Debian packages, tagged under our
// own names. Each image carries a label with the hash of its Dockerfile folder
// (and of the image it builds on), so a rebuild happens only when one changes.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { docker, imageId, imageLabel } from './docker.ts';
import { DEBIAN_SUITE, buildBaseImage } from './base.ts';

const IMAGES_DIR = join(import.meta.dirname, '..', '..', 'files', 'images');
export const HASH_LABEL = 'io.cloudnova.image.hash';
const SOURCE_LABEL = 'io.cloudnova.image.source';

export type OfflineImageName = 'base' | 'lab-host' | 'nginx' | 'prometheus' | 'alertmanager' | 'node-exporter' | 'node' | 'node-build';

interface VerifyCommand {
  entrypoint?: string;
  args: string[];
}

export interface OfflineImageSpec {
  /** Repository under our own namespace; the `trixie` tag always points at the newest build. */
  repo: string;
  /** The image this one builds on (passed as the BASE_IMAGE build arg). */
  from?: OfflineImageName;
  /** Debian package whose version becomes the pinned tag (cloudnova/nginx:1.26.3-3-deb13u1). */
  pkg?: string;
  /** Commands that prove the image runs its program. */
  verify: VerifyCommand[];
  /** Copy the controller's locally added CAs into extra-ca/ of the build context (npm through a TLS proxy). */
  controllerCaCerts?: boolean;
}

export const OFFLINE_IMAGES: Record<OfflineImageName, OfflineImageSpec> = {
  base: { repo: 'cloudnova/debian', verify: [{ args: ['cat', '/etc/debian_version'] }] },
  'lab-host': { repo: 'cloudnova/lab-host', from: 'base', verify: [{ args: ['sshd', '-V'] }] },
  nginx: { repo: 'cloudnova/nginx', from: 'base', pkg: 'nginx', verify: [{ args: ['nginx', '-v'] }] },
  prometheus: {
    repo: 'cloudnova/prometheus',
    from: 'base',
    pkg: 'prometheus',
    verify: [{ args: ['--version'] }, { entrypoint: 'promtool', args: ['--version'] }],
  },
  alertmanager: {
    repo: 'cloudnova/alertmanager',
    from: 'base',
    pkg: 'prometheus-alertmanager',
    verify: [{ args: ['--version'] }, { entrypoint: 'amtool', args: ['--version'] }],
  },
  'node-exporter': { repo: 'cloudnova/node-exporter', from: 'base', pkg: 'prometheus-node-exporter', verify: [{ args: ['--version'] }] },
  node: { repo: 'cloudnova/node', from: 'base', pkg: 'nodejs', verify: [{ args: ['node', '--version'] }] },
  'node-build': {
    repo: 'cloudnova/node-build',
    from: 'node',
    pkg: 'nodejs',
    verify: [{ args: ['sh', '-c', 'node --version && npm --version && g++ --version | head -1 && test -f /usr/include/node/node.h'] }],
    controllerCaCerts: true,
  },
};

/** What the stack needs in the lab (push delivery): ensureOfflineImages() with no names. */
export const STACK_IMAGES: OfflineImageName[] = ['nginx', 'prometheus', 'alertmanager', 'node-exporter', 'node', 'node-build'];

export interface BuiltImage {
  /** Pinned reference (package version tag), e.g. cloudnova/nginx:1.26.3-3-deb13u1. */
  ref: string;
  id: string;
}

export interface EnsureImageOptions {
  log?: (message: string) => void;
  /** Rebuild even when the hash matches. */
  force?: boolean;
}

const spec = (name: OfflineImageName): OfflineImageSpec => OFFLINE_IMAGES[name];
export const floatingRef = (name: OfflineImageName): string => `${spec(name).repo}:${DEBIAN_SUITE}`;
export const imageDir = (name: OfflineImageName): string => join(IMAGES_DIR, name);

const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? filesUnder(join(dir, entry)) : [join(dir, entry)]));
}

/** Files of the build context, relative path -> absolute source (controller CAs under extra-ca/). */
function contextFiles(name: OfflineImageName): Map<string, string> {
  const dir = imageDir(name);
  const files = new Map(filesUnder(dir).map((p) => [relative(dir, p), p]));
  if (spec(name).controllerCaCerts) {
    for (const p of filesUnder(LOCAL_CA_DIR).filter((f) => f.endsWith('.crt'))) files.set(join('extra-ca', relative(LOCAL_CA_DIR, p)), p);
  }
  return files;
}

function hashFiles(files: Map<string, string>): string {
  const hash = createHash('sha256');
  for (const [rel, abs] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${rel}\0`).update(readFileSync(abs)).update('\0');
  return hash.digest('hex');
}

/** A temp build context: the image folder plus the extra files (only when there are extra files). */
function buildContext(name: OfflineImageName, files: Map<string, string>): { dir: string; cleanup: () => void } {
  if (!spec(name).controllerCaCerts) return { dir: imageDir(name), cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), `cloudnova-${name}-`));
  for (const [rel, abs] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    copyFileSync(abs, join(dir, rel));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Debian versions hold '+', '~' and ':' which tags may not. */
export function versionTag(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, '').replace(/[^A-Za-z0-9_.-]/g, '-');
}

const building = new Map<OfflineImageName, Promise<BuiltImage>>();

/** Build one image (and what it builds on) when missing or outdated. */
export function ensureImage(name: OfflineImageName, opts: EnsureImageOptions = {}): Promise<BuiltImage> {
  let pending = building.get(name);
  if (!pending) {
    pending = ensureImageUncached(name, opts);
    building.set(name, pending);
    pending.catch(() => building.delete(name));
  }
  return pending;
}

async function ensureImageUncached(name: OfflineImageName, opts: EnsureImageOptions): Promise<BuiltImage> {
  const log = opts.log ?? ((m: string) => console.error(`images: ${m}`));
  const s = spec(name);
  const parent = s.from ? await ensureImage(s.from, opts) : undefined;
  const ref = floatingRef(name);
  const files = contextFiles(name);
  const hash = createHash('sha256').update(hashFiles(files)).update(parent?.id ?? '').digest('hex').slice(0, 16);
  if (!opts.force && (await imageLabel(ref, HASH_LABEL)) === hash) return { ref: await pinnedRef(name, ref), id: (await imageId(ref))! };

  const started = Date.now();
  log(`building ${ref}`);
  const labels = [`${HASH_LABEL}=${hash}`, `${SOURCE_LABEL}=files/images/${name}`];
  if (name === 'base') {
    await buildBaseImage(ref, imageDir(name), labels, log);
  } else {
    const args = ['build', '-q', ...labels.flatMap((l) => ['--label', l]), '-t', ref];
    if (parent) args.push('--build-arg', `BASE_IMAGE=${parent.ref}`);
    const context = buildContext(name, files);
    try {
      await docker([...args, context.dir], { timeoutMs: 1_200_000 });
    } finally {
      context.cleanup();
    }
  }
  const id = (await imageId(ref))!;
  let pinned = ref;
  if (s.pkg) {
    const v = await docker(['run', '--rm', '--entrypoint', 'dpkg-query', ref, '-W', '-f', '${Version}', s.pkg]);
    // Package version plus build hash: a Dockerfile change with the same package version is a
    // new tag too, so the compose file (and the release id) changes and rollback can restore it.
    pinned = `${s.repo}:${versionTag(v.stdout.trim())}-${hash.slice(0, 8)}`;
    await docker(['tag', ref, pinned]);
  }
  await verifyImage(name, pinned);
  log(`built ${pinned} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ref: pinned, id };
}

/** The version tag that points at the same image as the floating tag. */
async function pinnedRef(name: OfflineImageName, ref: string): Promise<string> {
  const r = await docker(['image', 'inspect', '--format', '{{join .RepoTags "\\n"}}', ref]);
  const tags = r.stdout.split('\n').map((t) => t.trim()).filter((t) => t.startsWith(`${spec(name).repo}:`) && t !== ref);
  return tags.sort()[0] ?? ref;
}

/** Run each verify command of the image; throws with the output when one fails. */
export async function verifyImage(name: OfflineImageName, ref = floatingRef(name)): Promise<string[]> {
  const outputs: string[] = [];
  for (const cmd of spec(name).verify) {
    const entry = cmd.entrypoint ? ['--entrypoint', cmd.entrypoint] : [];
    const r = await docker(['run', '--rm', ...entry, ref, ...cmd.args], { check: false, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`image ${ref} failed its check \`${[cmd.entrypoint, ...cmd.args].filter(Boolean).join(' ')}\`: ${(r.stderr || r.stdout).trim()}`);
    outputs.push((r.stdout + r.stderr).trim().split('\n')[0] ?? '');
  }
  return outputs;
}

/** The stack's offline images (or the named ones), built on the controller only when missing or outdated. */
export async function ensureOfflineImages(
  names: OfflineImageName[] = STACK_IMAGES,
  opts: EnsureImageOptions = {},
): Promise<Record<string, BuiltImage>> {
  const out: Record<string, BuiltImage> = {};
  // One at a time: the controller has few cores and each build runs apt.
  for (const name of names) out[name] = await ensureImage(name, opts);
  return out;
}
