// The MiniWebApp's image is always built here from webapp/ (we own its source and
// no registry of ours is assumed) and tagged by its content. Offline environments
// (vars.images.offline: the lab, air-gapped hosts) also get the stack's images
// built here from Debian packages. Host image vars are pointed at those builds'
// pinned tags; roles deliver cloudnova/* images with `docker save | docker load`.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Inventory, Vars } from '../../lib/core/types.ts';
import { docker, imageId } from '../../lib/images/docker.ts';
import { ensureOfflineImages } from '../../lib/images/build.ts';

const WEBAPP_DIR = join(import.meta.dirname, '..', '..', 'webapp');
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

const imageVarsOf = (vars: Vars): Record<string, unknown> => (vars.images ?? {}) as Record<string, unknown>;
const wantsOfflineImages = (vars: Vars): boolean => imageVarsOf(vars).offline === true;
// An `images.app` set in the inventory (a release to pin, a rollback test) is kept as given.
const hasOwnAppImage = (vars: Vars): boolean => typeof imageVarsOf(vars).app === 'string';

/** The stack's images built from Debian packages, as image vars (pinned package-version tags). */
export async function buildOfflineStackImages(): Promise<Record<string, string>> {
  const built = await ensureOfflineImages(['nginx', 'prometheus', 'alertmanager', 'node-exporter'], { log });
  return {
    nginx: built.nginx!.ref,
    prometheus: built.prometheus!.ref,
    alertmanager: built.alertmanager!.ref,
    nodeExporter: built['node-exporter']!.ref,
  };
}

/** The app image, built on our Debian Node.js images (no registry needed). */
export async function buildAppImage(): Promise<string> {
  const built = await ensureOfflineImages(['node', 'node-build'], { log });
  return ensureAppImage(built['node-build']!.ref, built.node!.ref);
}

/** Point the hosts' image vars at the controller's builds (built only when missing or outdated). */
export async function resolveStackImages(inventory: Inventory): Promise<Inventory> {
  const needApp = inventory.hosts.some((h) => h.groups.includes('web') && !hasOwnAppImage(h.vars));
  const needOffline = inventory.hosts.some((h) => wantsOfflineImages(h.vars));
  const app = needApp ? await buildAppImage() : undefined;
  const offline = needOffline ? await buildOfflineStackImages() : {};
  const hosts = inventory.hosts.map((h) => {
    const own = imageVarsOf(h.vars);
    const images = { ...own, ...(wantsOfflineImages(h.vars) ? offline : {}), ...(app && !hasOwnAppImage(h.vars) ? { app } : {}) };
    return { ...h, vars: { ...h.vars, images } };
  });
  return { ...inventory, hosts };
}
