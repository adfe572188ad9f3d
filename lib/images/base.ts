// The base of every image we build: cloudnova/debian:trixie. Where a registry
// answers, it is the official debian:trixie re-tagged under our name; else a
// debootstrap minbase rootfs (~1 min) imported through files/images/base.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, imageId, run } from './docker.ts';

export const DEBIAN_SUITE = 'trixie';
export const OFFICIAL_BASE = `debian:${DEBIAN_SUITE}`;

export function debianMirror(): string {
  return process.env.CLOUDNOVA_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
}

/** Official image present or pullable within a few seconds (no hanging where no registry answers). */
async function officialBaseAvailable(log: (m: string) => void): Promise<boolean> {
  if (await imageId(OFFICIAL_BASE)) return true;
  if (process.env.CLOUDNOVA_NO_PULL === '1') return false;
  const r = await docker(['pull', '-q', OFFICIAL_BASE], { check: false, timeoutMs: 30_000 });
  if (r.code !== 0) log(`no registry answered for ${OFFICIAL_BASE}: building the base with debootstrap`);
  return r.code === 0;
}

/** Build `ref` from the official image, or from a fresh debootstrap rootfs. Labels carry the hash. */
export async function buildBaseImage(ref: string, dir: string, labels: string[], log: (m: string) => void): Promise<void> {
  const labelArgs = labels.flatMap((l) => ['--label', l]);
  if (await officialBaseAvailable(log)) {
    await docker(['build', '-q', ...labelArgs, '-t', ref, '-'], { input: `FROM ${OFFICIAL_BASE}\n`, timeoutMs: 300_000 });
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'cloudnova-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    const context = join(work, 'context');
    log(`debootstrap --variant=minbase ${DEBIAN_SUITE} (about a minute)`);
    await run('debootstrap', ['--variant=minbase', '--include=ca-certificates', DEBIAN_SUITE, rootfs, debianMirror()], { timeoutMs: 900_000 });
    // Package caches and indexes: ~100 MB that every image would carry; apt-get update refills them.
    for (const cache of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      for (const entry of readdirSync(join(rootfs, cache))) {
        if (entry !== 'partial' && entry !== 'lock') rmSync(join(rootfs, cache, entry), { recursive: true, force: true });
      }
    }
    await run('mkdir', [context]);
    await run('tar', ['--numeric-owner', '-C', rootfs, '-cf', join(context, 'rootfs.tar'), '.'], { timeoutMs: 300_000 });
    for (const file of readdirSync(dir)) copyFileSync(join(dir, file), join(context, file));
    await docker(['build', '-q', ...labelArgs, '-t', ref, context], { timeoutMs: 600_000 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
