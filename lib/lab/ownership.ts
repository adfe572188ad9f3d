// Which state folder owns a lab. Each host container is labelled at creation with
// the absolute state root that made it; another checkout must not take it over
// (its login key would lock the owner out). Pure: no docker, no files.
import { resolve } from 'node:path';
import { ConfigError } from '../core/types.ts';

export const STATE_LABEL = 'io.cloudnova.lab.state';

/** 'adopt': made before owner labels existed (docker cannot add a label to a container later). */
export type LabOwnership = 'ours' | 'adopt' | { otherOwner: string };

export function labOwnership(labels: Readonly<Record<string, string>> | null | undefined, stateRoot: string): LabOwnership {
  const owner = labels?.[STATE_LABEL];
  if (!owner) return 'adopt';
  return resolve(owner) === resolve(stateRoot) ? 'ours' : { otherOwner: owner };
}

/** The first host owned by another state folder decides for the whole lab. */
export function foreignOwner(containers: ReadonlyArray<{ labels: Readonly<Record<string, string>> }>, stateRoot: string): string | undefined {
  for (const c of containers) {
    const o = labOwnership(c.labels, stateRoot);
    if (typeof o === 'object') return o.otherOwner;
  }
  return undefined;
}

/** A ConfigError, so playbooks print it as one message and exit 2. */
export class LabOwnedElsewhereError extends ConfigError {
  constructor(
    readonly lab: string,
    readonly stateRoot: string,
    readonly otherOwner: string,
  ) {
    super(
      stateRoot,
      'lab',
      `lab '${lab}' belongs to another state folder, ${otherOwner} (its containers carry the label ${STATE_LABEL}=${otherOwner}); nothing was changed. ` +
        `Either run from that checkout, or with CLOUDNOVA_STATE_DIR=${otherOwner}; ` +
        `or use another lab name (the inventory's provider.name, or lab.ts --name <other>); ` +
        `or remove that lab with \`npx zx playbooks/lab.ts down --name ${lab}\` (this deletes its hosts and what is deployed on them).`,
    );
    this.name = 'LabOwnedElsewhereError';
  }
}

/** 'type base64' of each key line (options and comments dropped). */
function keyBlobs(authorizedKeys: string): string[] {
  return authorizedKeys
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.match(/(?:^|\s)((?:ssh|ecdsa|sk)-[^\s]+\s+[A-Za-z0-9+/=]+)/)?.[1]?.replace(/\s+/, ' ') ?? l);
}

export type LoginKeyAction = 'keep' | 'install' | 'leave';

/**
 * What to do with an existing host's authorized_keys for our user.
 * Ours: install our key when it is not there (the owner's state folder was reset).
 * Adopted: install only when no key is there; someone else's key is left alone.
 */
export function loginKeyAction(ownership: 'ours' | 'adopt', installed: string, ourPublicKey: string): LoginKeyAction {
  const installedKeys = keyBlobs(installed);
  const [ours] = keyBlobs(ourPublicKey);
  if (ours && installedKeys.includes(ours)) return 'keep';
  if (ownership === 'ours' || installedKeys.length === 0) return 'install';
  return 'leave';
}
