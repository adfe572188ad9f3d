// The lab: N Debian hosts as systemd containers with sshd, on one docker
// network, SSH/HTTP/HTTPS published on 127.0.0.1 only. Docker is the source of
// truth; <state>/lab/<name>/hosts.json is a copy for other tools and people.
import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { docker, run } from '../images/docker.ts';
import { ensureImage } from '../images/build.ts';
import { ensureSystemDeps } from '../setup/system-deps.ts';
import { defaultStateRoot, ensureDir, ensureOperatorKey, stateRootId, writeFileAtomic, type OperatorKey } from './state.ts';
import { DEFAULT_LAB, MAX_HOSTS_PER_LAB, portsFor, slotCandidates, type LabPorts } from './ports.ts';
import {
  LAB_LABEL,
  containerName,
  createHostArgs,
  dockerVolumeName,
  listLabContainers,
  networkName,
  type LabContainer,
} from './docker-lab.ts';
import { LabOwnedElsewhereError, STATE_LABEL, foreignOwner, labOwnership, loginKeyAction } from './ownership.ts';

export const LAB_USER = 'admin';
export const LAB_ADDRESS = '127.0.0.1';

export interface LabOptions {
  /** Lab name (default 'lab'); containers are cloudnova-<host>, the network cloudnova-<name>. */
  name?: string;
  stateDir?: string;
  log?: (message: string) => void;
}

export interface LabUpOptions extends LabOptions {
  /** A count (hosts <name>-1..N) or explicit host names. Default 2. */
  hosts?: number | string[];
}

export interface LabHostStatus {
  name: string;
  container: string;
  index: number;
  state: string;
  ssh: { address: string; port: number };
  ports: LabPorts;
  /** IP on the lab network: how the other hosts reach it. */
  privateAddress: string;
  /** Published URLs as seen from the controller (origin form, no trailing slash). */
  urls: { https: string; http: string };
}

export interface LabStatus {
  name: string;
  network: string;
  user: string;
  privateKeyPath: string;
  /** This state folder's known_hosts (OpenSSH format): for `ssh -o UserKnownHostsFile=`. */
  knownHostsPath: string;
  /** The state folder that created the lab's hosts (undefined: unknown, made before owner labels). */
  owner?: string;
  hosts: LabHostStatus[];
}

export interface LabUpResult {
  status: LabStatus;
  created: string[];
  started: string[];
  existing: string[];
  durationMs: number;
}

export interface LabDownResult {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** Why `name` cannot be a lab name, or undefined when it can. */
export function labNameProblem(name: string): string | undefined {
  // It becomes part of container, network and volume names and of a state folder path.
  return /^[a-z][a-z0-9-]{0,30}$/.test(name) ? undefined : `lab name '${name}': use lowercase letters, digits and '-' (starting with a letter, at most 31)`;
}

function labName(o: LabOptions): string {
  const name = o.name ?? DEFAULT_LAB;
  const problem = labNameProblem(name);
  if (problem) throw new Error(problem);
  return name;
}
const stateRoot = (o: LabOptions): string => o.stateDir ?? defaultStateRoot();
/** The owner label's value: the state root with symlinks resolved, so two spellings agree. */
const ownerId = (o: LabOptions): string => stateRootId(stateRoot(o));
const labDir = (o: LabOptions): string => join(stateRoot(o), 'lab', labName(o));
const hostsFile = (o: LabOptions): string => join(labDir(o), 'hosts.json');
const defaultLog = (m: string): void => console.error(`lab: ${m}`);

export function hostNames(lab: string, hosts: number | string[] = 2): string[] {
  const names = typeof hosts === 'number' ? Array.from({ length: hosts }, (_, i) => `${lab}-${i + 1}`) : hosts;
  if (names.length < 1 || names.length > MAX_HOSTS_PER_LAB) throw new Error(`--hosts: between 1 and ${MAX_HOSTS_PER_LAB} hosts, got ${names.length}`);
  for (const n of names) {
    // Host names become container names, DNS aliases and hostnames.
    if (!/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/.test(n)) throw new Error(`lab host name '${n}': use lowercase letters, digits and '-'`);
  }
  if (new Set(names).size !== names.length) throw new Error(`lab host names repeat: ${names.join(', ')}`);
  return names;
}

function toStatus(o: LabOptions, privateKeyPath: string, containers: LabContainer[]): LabStatus {
  return {
    name: labName(o),
    network: networkName(labName(o)),
    user: LAB_USER,
    privateKeyPath,
    knownHostsPath: join(stateRoot(o), 'ssh', 'known_hosts'),
    owner: containers.map((c) => c.labels[STATE_LABEL]).find(Boolean),
    hosts: containers.map((c) => {
      const ports = portsFor(c.slot, c.index);
      return {
        name: c.host,
        container: c.container,
        index: c.index,
        state: c.state,
        ssh: { address: LAB_ADDRESS, port: c.ports.ssh ?? ports.ssh },
        ports: { ssh: c.ports.ssh ?? ports.ssh, http: c.ports.http ?? ports.http, https: c.ports.https ?? ports.https },
        privateAddress: c.privateAddress,
        urls: { https: `https://${LAB_ADDRESS}:${c.ports.https ?? ports.https}`, http: `http://${LAB_ADDRESS}:${c.ports.http ?? ports.http}` },
      };
    }),
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LAB_ADDRESS, () => server.close(() => resolve(true)));
  });
}

/** The lab's slot: kept from its containers, else the first candidate not used by another lab or process. */
async function chooseSlot(lab: string, own: LabContainer[], indexes: number[]): Promise<number> {
  const kept = own.find((c) => c.slot >= 0);
  if (kept) return kept.slot;
  const taken = new Set((await listLabContainers()).filter((c) => !own.includes(c)).map((c) => c.slot));
  for (const slot of slotCandidates(lab)) {
    if (taken.has(slot)) continue;
    const ports = indexes.flatMap((i) => Object.values(portsFor(slot, i)));
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return slot;
  }
  throw new Error(`lab ${lab}: no free port block on ${LAB_ADDRESS} (all slots used)`);
}

async function ensureNetwork(lab: string): Promise<void> {
  const name = networkName(lab);
  const r = await docker(['network', 'inspect', '--format', `{{index .Labels "${LAB_LABEL}"}}`, name], { check: false });
  if (r.code === 0) {
    if (r.stdout.trim() !== lab) throw new Error(`docker network ${name} exists but is not lab ${lab}'s (label ${LAB_LABEL}): remove or rename it`);
    return;
  }
  await docker(['network', 'create', '--label', `${LAB_LABEL}=${lab}`, name]);
}

/** Stable SSH host keys per lab host, so a recreated lab matches known_hosts. */
async function ensureHostKeyDir(o: LabOptions, host: string): Promise<string> {
  const dir = ensureDir(join(labDir(o), 'host-keys', host));
  const key = join(dir, 'ssh_host_ed25519_key');
  if (!existsSync(key)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${host}`, '-f', key]);
  return dir;
}

/** An sshd answers with its banner; docker-proxy alone accepts and closes. */
export function sshBanner(port: number, address = LAB_ADDRESS, timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: address, port });
    let data = '';
    const done = (v: string | undefined): void => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('data', (d: Buffer) => {
      data += d.toString();
      if (data.includes('\n')) done(data.startsWith('SSH-') ? data.trim() : undefined);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}

async function waitForSsh(host: string, port: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await sshBanner(port)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`lab host ${host}: sshd did not answer on ${LAB_ADDRESS}:${port} within ${timeoutMs / 1000} s (docker logs ${host})`);
}

const AUTHORIZED_KEYS = `/etc/ssh/authorized_keys/${LAB_USER}`;

/**
 * Install our login key on an existing, running host when it is ours and lacks it, or
 * when it predates owner labels and has no key at all; another key is left alone.
 */
async function ensureLoginKey(lab: string, c: LabContainer, ownership: 'ours' | 'adopt', key: OperatorKey, log: (m: string) => void): Promise<void> {
  const r = await docker(['exec', c.container, 'cat', AUTHORIZED_KEYS], { check: false });
  const action = loginKeyAction(ownership, r.code === 0 ? r.stdout : '', key.publicKey);
  if (action === 'keep') return;
  if (action === 'install') {
    await docker(['cp', key.publicKeyPath, `${c.container}:${AUTHORIZED_KEYS}`]);
    log(ownership === 'ours'
      ? `${c.host}: installed this state folder's login key (${key.publicKeyPath}); the host had another one`
      : `${c.host}: made before lab owner labels, had no login key: installed this state folder's (${key.publicKeyPath})`);
    return;
  }
  log(
    `${c.host}: made before lab owner labels, it has another login key (probably another checkout's): left as is. ` +
      `If ssh is refused, run from the checkout that made it, or recreate the lab (lab.ts down --name ${lab}, then up; this deletes its deployed stack)`,
  );
}

/** Labs whose outdated-image notice was already printed in this process. */
const imageNoticeShown = new Set<string>();

async function imageCreated(ref: string): Promise<string> {
  const r = await docker(['image', 'inspect', '--format', '{{.Created}}', ref], { check: false });
  const t = new Date(r.stdout.trim());
  return r.code === 0 && !Number.isNaN(t.getTime()) ? `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'at an unknown date';
}

/** One line per run: what differs, that it is optional, and what recreating costs. */
async function noticeOlderImage(lab: string, outdated: LabContainer[], image: { ref: string; id: string }, log: (m: string) => void): Promise<void> {
  if (outdated.length === 0 || imageNoticeShown.has(lab)) return;
  imageNoticeShown.add(lab);
  const hosts = outdated.map((c) => c.host).join(', ');
  const one = outdated.length === 1;
  const oldDates = [...new Set(await Promise.all([...new Set(outdated.map((c) => c.image))].map(imageCreated)))].join(', ');
  log(
    `${hosts} ${one ? 'was' : 'were'} created from an older lab-host image (built ${oldDates}; ` +
      `the current ${image.ref} was built ${await imageCreated(image.id)} after files/images/lab-host or its base changed). ` +
      `${one ? 'It keeps' : 'They keep'} working as ${one ? 'is' : 'they are'}. Optional, to recreate ${one ? 'it' : 'them'} with the new image: ` +
      `npx zx playbooks/lab.ts down --name ${lab} && npx zx playbooks/lab.ts up --name ${lab} (this deletes the stack deployed on ${one ? 'it' : 'them'})`,
  );
}

/**
 * Create the lab's missing hosts and start stopped ones. A second call creates nothing.
 * A lab made by another state folder is refused (LabOwnedElsewhereError) before any change.
 */
export async function labUp(o: LabUpOptions = {}): Promise<LabUpResult> {
  const started = Date.now();
  const lab = labName(o);
  const log = o.log ?? defaultLog;
  const names = hostNames(lab, o.hosts);
  await ensureSystemDeps({ purpose: 'lab', log });
  const own = await listLabContainers(lab);
  const other = foreignOwner(own, ownerId(o));
  if (other !== undefined) throw new LabOwnedElsewhereError(lab, stateRoot(o), other);

  const key = await ensureOperatorKey(stateRoot(o));
  const owner = ownerId(o); // after ensureOperatorKey: the folder exists now
  const image = await ensureImage('lab-host', { log });
  await ensureNetwork(lab);

  const byHost = new Map(own.map((c) => [c.host, c]));
  // Existing hosts keep their index (hence their ports); a new host takes its position
  // in the list when free, else the lowest free index.
  const usedIndexes = new Set(own.map((c) => c.index));
  const plans = names.map((host) => ({ host, index: byHost.get(host)?.index ?? -1, existing: byHost.get(host) }));
  plans.forEach((p, position) => {
    if (p.existing) return;
    let index = usedIndexes.has(position) ? 0 : position;
    while (usedIndexes.has(index)) index++;
    usedIndexes.add(index);
    p.index = index;
  });
  const slot = await chooseSlot(lab, own, plans.map((p) => p.index));
  // Never recreated behind the user's back: the host may hold a deployed stack.
  await noticeOlderImage(lab, plans.flatMap((p) => (p.existing && p.existing.image !== image.id ? [p.existing] : [])), image, log);

  const result = { created: [] as string[], started: [] as string[], existing: [] as string[] };
  for (const p of plans) {
    if (p.existing) {
      if (p.existing.running) result.existing.push(p.host);
      else {
        await docker(['start', p.existing.container]);
        result.started.push(p.host);
      }
      await ensureLoginKey(lab, p.existing, labOwnership(p.existing.labels, owner) === 'ours' ? 'ours' : 'adopt', key, log);
      continue;
    }
    const ports = portsFor(slot, p.index);
    const container = containerName(lab, p.host);
    log(`creating ${p.host} (${container}, ssh ${LAB_ADDRESS}:${ports.ssh})`);
    await docker(['volume', 'create', '--label', `${LAB_LABEL}=${lab}`, dockerVolumeName(lab, p.host)]);
    await docker(createHostArgs({ lab, host: p.host, index: p.index, slot, ports, image: image.ref, stateRoot: owner }));
    // Keys go in before the first boot: sshd must never start with other host keys.
    await docker(['cp', `${await ensureHostKeyDir(o, p.host)}/.`, `${container}:/etc/ssh/`]);
    await docker(['cp', key.publicKeyPath, `${container}:${AUTHORIZED_KEYS}`]);
    await docker(['start', container]);
    result.created.push(p.host);
  }

  const containers = await listLabContainers(lab);
  const status = toStatus(o, key.privateKeyPath, containers);
  await Promise.all(status.hosts.filter((h) => names.includes(h.name)).map((h) => waitForSsh(h.name, h.ssh.port)));
  writeFileAtomic(hostsFile(o), JSON.stringify({ ...status, updatedAt: new Date().toISOString() }, null, 2) + '\n');
  return { status, ...result, durationMs: Date.now() - started };
}

/** The lab as docker sees it now (no hosts when it is down). */
export async function labStatus(o: LabOptions = {}): Promise<LabStatus> {
  const privateKeyPath = join(stateRoot(o), 'ssh', 'id_ed25519');
  return toStatus(o, privateKeyPath, await listLabContainers(labName(o)));
}

/** Remove the lab's containers, its network and its volumes, found by label: nothing else. */
export async function labDown(o: LabOptions = {}): Promise<LabDownResult> {
  const lab = labName(o);
  const log = o.log ?? defaultLog;
  const containers = await listLabContainers(lab);
  if (containers.length) {
    log(`removing ${containers.map((c) => c.container).join(', ')}`);
    await docker(['rm', '--force', '--volumes', ...containers.map((c) => c.id)]);
  }
  const byLabel = ['--filter', `label=${LAB_LABEL}=${lab}`];
  const networks = (await docker(['network', 'ls', '-q', ...byLabel, '--format', '{{.Name}}'])).stdout.split('\n').filter(Boolean);
  if (networks.length) await docker(['network', 'rm', ...networks]);
  const volumes = (await docker(['volume', 'ls', '-q', ...byLabel])).stdout.split('\n').filter(Boolean);
  if (volumes.length) await docker(['volume', 'rm', ...volumes]);
  // Host keys stay (the same identity when the lab comes back); the host list goes.
  rmSync(hostsFile(o), { force: true });
  return { containers: containers.map((c) => c.container), networks, volumes };
}
