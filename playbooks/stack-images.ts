// Offline environments (vars.images.offline: the lab, air-gapped hosts): the
// stack's images are built on the controller from Debian packages and the
// MiniWebApp's Dockerfile, then the hosts' image vars are pointed at those
// builds' pinned tags. Roles then deliver them with `docker save | docker load`.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Inventory, Vars } from '../lib/core/types.ts';
import { docker, imageId } from '../lib/images/docker.ts';
import { ensureOfflineImages } from '../lib/images/build.ts';

const WEBAPP_DIR = join(import.meta.dirname, '..', 'webapp');
const APP_REPO = 'cloudnova/miniwebapp';
// What the image is built from (see webapp/.dockerignore): nothing else changes the tag.
const APP_CONTEXT = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'public'];

const log = (message: string): void => void process.stderr.write(`images: ${message}\n`);

function filesUnder(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((entry) => filesUnder(join(path, entry)));
}

/** A tag that changes exactly when the app's build context changes: 1.0.0-<hash>. */
export function appImageTag(dir = WEBAPP_DIR): string {
  const hash = createHash('sha256');
  for (const file of APP_CONTEXT.flatMap((p) => filesUnder(join(dir, p)))) {
    hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return `${APP_REPO}:${version}-${hash.digest('hex').slice(0, 12)}`;
}

async function ensureAppImage(buildImage: string, baseImage: string): Promise<string> {
  const ref = appImageTag();
  if (await imageId(ref)) return ref;
  log(`building ${ref} (webapp/Dockerfile)`);
  const started = Date.now();
  await docker(
    ['build', '-q', '--build-arg', `BUILD_IMAGE=${buildImage}`, '--build-arg', `BASE_IMAGE=${baseImage}`, '--build-arg', 'NPM_NODEDIR=/usr', '-t', ref, WEBAPP_DIR],
    { timeoutMs: 1_200_000 },
  );
  log(`built ${ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ref;
}

function wantsOfflineImages(vars: Vars): boolean {
  const images = vars.images as { offline?: unknown } | undefined;
  return images?.offline === true;
}

/** The image vars every offline host gets; an explicit app image in the inventory wins (a pinned release). */
export async function buildOfflineStackImages(): Promise<Record<string, string>> {
  const built = await ensureOfflineImages(['nginx', 'prometheus', 'alertmanager', 'node-exporter', 'node', 'node-build'], { log });
  const app = await ensureAppImage(built['node-build']!.ref, built.node!.ref);
  return {
    app,
    nginx: built.nginx!.ref,
    prometheus: built.prometheus!.ref,
    alertmanager: built.alertmanager!.ref,
    nodeExporter: built['node-exporter']!.ref,
  };
}

/** Point the image vars of offline hosts at the controller's builds (built only when missing or outdated). */
export async function resolveOfflineImages(inventory: Inventory): Promise<Inventory> {
  const offline = inventory.hosts.filter((h) => wantsOfflineImages(h.vars));
  if (offline.length === 0) return inventory;
  const refs = await buildOfflineStackImages();
  const hosts = inventory.hosts.map((h) => {
    if (!wantsOfflineImages(h.vars)) return h;
    const own = h.vars.images as Record<string, unknown>;
    // A host var `images.app` set explicitly (a release to pin or a rollback test) is kept.
    const pinnedApp = typeof own.app === 'string' && own.app !== '' && own.app !== 'default' ? { app: own.app } : {};
    return { ...h, vars: { ...h.vars, images: { ...own, ...refs, ...pinnedApp } } };
  });
  return { ...inventory, hosts };
}
