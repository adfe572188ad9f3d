// A compose project up. gather asks compose for the desired config hash of each
// service and compares it with the hash label on the running containers (and
// the image IDs), so the plan names which services will be created or
// recreated, and a project already up costs one exec and no `up`.
import type { Change, Module, Plan } from '../core/types.ts';
import { Shell, quote, sh } from '../connection/quote.ts';
import { batch, parseSections, section } from './probe.ts';

export interface ComposeSpec {
  project: string;
  /** compose.yaml on the host. */
  file: string;
  /** `up --wait`: wait for healthchecks. Default false. */
  wait?: boolean;
}

export interface ComposeContainer {
  service: string;
  state: string;
  configHash?: string;
  imageId?: string;
}

export interface ComposeFacts {
  /** Set when `docker compose config` failed (file missing or invalid). */
  configError?: string;
  /** service -> desired config hash. */
  hashes: Record<string, string>;
  /** service -> ID of the image its config names ('' when not on the host). */
  imageIds: Record<string, string>;
  containers: ComposeContainer[];
}

const CONFIG_FAILED = '@@config-failed';

function compose(spec: ComposeSpec, ...args: string[]): string[] {
  return ['docker', 'compose', '-p', spec.project, '-f', spec.file, ...args];
}

export function composeUpArgv(spec: ComposeSpec): string[] {
  return compose(spec, 'up', '-d', '--remove-orphans', ...(spec.wait ? ['--wait'] : []));
}

export function gatherComposeLine(spec: ComposeSpec): Shell {
  const c = (...args: string[]) => sh(compose(spec, ...args)).text;
  return batch(
    section('hash', new Shell(`${c('config', '--hash', '*')} 2>&1 || echo ${CONFIG_FAILED}`)),
    section('services', new Shell(`${c('config', '--format', 'json')}`)),
    // Desired image IDs by the name the config uses, and the IDs the containers run.
    section(
      'images',
      new Shell(`for i in $(${c('config', '--images')}); do echo "$i $(docker image inspect --format '{{.Id}}' "$i" 2>/dev/null)"; done`),
    ),
    section('ps', new Shell(`${c('ps', '-a', '--format', 'json')}`)),
    section(
      'running',
      new Shell(`${c('ps', '-aq')} | xargs -r docker inspect --format ${quote('{{index .Config.Labels "com.docker.compose.service"}} {{.Image}}')}`),
    ),
  );
}

/** `ps --format json` is a JSON array in older compose releases and one object per line in newer ones. */
function parsePs(text: string): Array<Record<string, unknown>> {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith('[')) return JSON.parse(t) as Array<Record<string, unknown>>;
  return t.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function pairs(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.indexOf(' ');
      return at < 0 ? [l, ''] : [l.slice(0, at), l.slice(at + 1).trim()];
    });
}

export function parseComposeFacts(stdout: string): ComposeFacts {
  const s = parseSections(stdout);
  const hashText = s.hash ?? '';
  if (hashText.includes(CONFIG_FAILED)) {
    return { configError: hashText.replace(CONFIG_FAILED, '').trim(), hashes: {}, imageIds: {}, containers: [] };
  }
  const hashes = Object.fromEntries(pairs(hashText));
  const imageIdByName = Object.fromEntries(pairs(s.images ?? ''));
  const imageIds: Record<string, string> = {};
  try {
    const config = JSON.parse(s.services || '{}') as { services?: Record<string, { image?: string }> };
    for (const [name, svc] of Object.entries(config.services ?? {})) {
      if (svc.image) imageIds[name] = imageIdByName[svc.image] ?? '';
    }
  } catch {
    // Without image names we still compare config hashes; compose up handles the rest.
  }
  const runningImage = new Map<string, string>();
  for (const [service, id] of pairs(s.running ?? '')) runningImage.set(service, id);
  const containers = parsePs(s.ps ?? '').map((c): ComposeContainer => {
    const service = String(c.Service ?? '');
    const labels = String(c.Labels ?? '');
    return {
      service,
      state: String(c.State ?? ''),
      configHash: /com\.docker\.compose\.config-hash=([0-9a-f]+)/.exec(labels)?.[1],
      imageId: runningImage.get(service),
    };
  });
  return { hashes, imageIds, containers };
}

export function planCompose(spec: ComposeSpec, facts: ComposeFacts): Plan {
  if (facts.configError !== undefined) {
    return { changes: [{ what: `up (compose config not readable yet: ${facts.configError.split('\n')[0]})` }] };
  }
  const changes: Change[] = [];
  for (const [service, hash] of Object.entries(facts.hashes)) {
    const mine = facts.containers.filter((c) => c.service === service);
    const wantImage = facts.imageIds[service];
    if (mine.length === 0) changes.push({ what: `create ${service}` });
    else if (mine.some((c) => c.configHash !== hash)) changes.push({ what: `recreate ${service} (config changed)` });
    else if (wantImage && mine.some((c) => c.imageId && c.imageId !== wantImage)) changes.push({ what: `recreate ${service} (new image)` });
    else if (mine.some((c) => c.state !== 'running')) changes.push({ what: `start ${service}` });
  }
  const orphans = new Set(facts.containers.map((c) => c.service).filter((s) => !(s in facts.hashes)));
  for (const service of orphans) changes.push({ what: `remove orphan ${service}` });
  return { changes };
}

export function composeUp(spec: ComposeSpec): Module<ComposeFacts> {
  return {
    kind: 'compose',
    subject: `${spec.project} (${spec.file})`,
    async gather(conn) {
      return parseComposeFacts((await conn.exec(gatherComposeLine(spec), { sudo: true })).stdout);
    },
    plan: (facts) => planCompose(spec, facts),
    async apply(conn) {
      await conn.exec(composeUpArgv(spec), { sudo: true, timeoutMs: 30 * 60_000 });
    },
  };
}
