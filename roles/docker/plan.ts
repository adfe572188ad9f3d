// Which commands install Docker Engine + Compose v2 on a host, from its /etc/os-release.
// Pure: commands are argument arrays (run through lib/connection/quote.ts by the wiring),
// so each distro's plan is a unit test, not an SSH session.

export type Distro =
  | { family: 'debian'; id: 'debian' | 'ubuntu'; versionId: string; codename: string }
  | { family: 'amazon'; id: 'amzn'; versionId: string };

/** Parse /etc/os-release text. Throws naming what is unsupported and what is. */
export function detectDistro(osRelease: string): Distro {
  const fields: Record<string, string> = {};
  for (const line of osRelease.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  const id = fields.ID ?? '';
  const versionId = fields.VERSION_ID ?? '';
  const codename = fields.VERSION_CODENAME ?? fields.UBUNTU_CODENAME ?? '';
  if (id === 'debian' || id === 'ubuntu') {
    if (id === 'ubuntu' && !['22.04', '24.04'].includes(versionId)) {
      throw new Error(`Ubuntu ${versionId || '(unknown version)'} is not supported: use 22.04 or 24.04`);
    }
    if (!codename) throw new Error(`${id} ${versionId}: /etc/os-release has no VERSION_CODENAME`);
    return { family: 'debian', id, versionId, codename };
  }
  if (id === 'amzn' && versionId === '2023') return { family: 'amazon', id: 'amzn', versionId };
  throw new Error(`unsupported OS ${fields.PRETTY_NAME ?? id}: supported are Debian 12/13, Ubuntu 22.04/24.04 and Amazon Linux 2023`);
}

// Pinned: Amazon Linux has no Compose v2 package, so the plugin binary comes from GitHub.
export const COMPOSE_PLUGIN_VERSION = 'v2.32.4';
const PLUGIN_DIR = '/usr/local/lib/docker/cli-plugins';

const APT = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=600', '-y', '-q'];

/** Before any package work: cloud-init may still be installing packages on a fresh EC2 host. */
export const WAIT_FOR_CLOUD_INIT = ['sh', '-c', 'if command -v cloud-init >/dev/null 2>&1; then cloud-init status --wait >/dev/null 2>&1 || true; fi'];

/**
 * Debian 13+ ships Compose v2 as `docker-compose` (a CLI plugin); Debian 12 ships the
 * old v1, so it and Ubuntu use Docker's apt repository and signed-by keyring.
 */
export function usesDebianPackages(d: Distro): boolean {
  return d.family === 'debian' && d.id === 'debian' && Number(d.versionId) >= 13;
}

/** Install commands, in order. Each is idempotent: rerunning them changes nothing. */
export function dockerInstallCommands(d: Distro, arch: 'amd64' | 'arm64'): string[][] {
  if (d.family === 'amazon') {
    const composeArch = arch === 'amd64' ? 'x86_64' : 'aarch64';
    return [
      ['dnf', '-y', '-q', 'install', 'docker'],
      ['mkdir', '-p', PLUGIN_DIR],
      ['curl', '-fsSL', '--retry', '3', '-o', `${PLUGIN_DIR}/docker-compose`,
        `https://github.com/docker/compose/releases/download/${COMPOSE_PLUGIN_VERSION}/docker-compose-linux-${composeArch}`],
      ['chmod', '0755', `${PLUGIN_DIR}/docker-compose`],
    ];
  }
  if (usesDebianPackages(d)) {
    return [[...APT, 'update'], [...APT, 'install', '--no-install-recommends', 'docker.io', 'docker-cli', 'docker-compose']];
  }
  const keyring = '/etc/apt/keyrings/docker.asc';
  const repo = `deb [arch=${arch} signed-by=${keyring}] https://download.docker.com/linux/${d.id} ${d.codename} stable\n`;
  return [
    [...APT, 'update'],
    [...APT, 'install', '--no-install-recommends', 'ca-certificates', 'curl'],
    ['install', '-m', '0755', '-d', '/etc/apt/keyrings'],
    ['curl', '-fsSL', '--retry', '3', '-o', keyring, `https://download.docker.com/linux/${d.id}/gpg`],
    ['chmod', '0644', keyring],
    // The list file's content is passed as data (printf %s), never pasted into shell text.
    ['sh', '-c', 'printf %s "$1" > /etc/apt/sources.list.d/docker.list', 'sh', repo],
    [...APT, 'update'],
    [...APT, 'install', '--no-install-recommends', 'docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-compose-plugin'],
  ];
}

/** After install: the service enabled and running, the login user in the docker group. */
export function dockerPostInstallCommands(loginUser: string, addToGroup: boolean): string[][] {
  const out = [['systemctl', 'enable', '--now', 'docker']];
  if (addToGroup) out.push(['usermod', '-aG', 'docker', loginUser]);
  return out;
}

/** One remote call that answers "is it already there?": both must exit 0. */
export const DOCKER_PRESENT_PROBE = ['sh', '-c', 'docker version --format "{{.Server.Version}}" >/dev/null 2>&1 && docker compose version --short'];

export function archFromUname(machine: string): 'amd64' | 'arm64' {
  const m = machine.trim();
  if (m === 'x86_64' || m === 'amd64') return 'amd64';
  if (m === 'aarch64' || m === 'arm64') return 'arm64';
  throw new Error(`unsupported CPU architecture ${m}: supported are x86_64 and aarch64`);
}
