// The EC2 provider's settings (inventory.ts: environments.aws.provider), validated
// before any AWS call so a typo fails with the file and field instead of a half-built fleet.
import { isIP } from 'node:net';
import { ConfigError } from '../../lib/core/types.ts';

/** Which inventory groups an instance joins; stored verbatim in its role tag. */
export type RoleTag = 'web' | 'monitoring' | 'web,monitoring';
export const ROLE_TAGS: readonly RoleTag[] = ['web', 'monitoring', 'web,monitoring'];

/** What inventory.ts may write under `provider` for the aws environment. */
export interface Ec2ProviderInput {
  kind: 'ec2';
  region?: string;
  instanceType?: string;
  rootVolumeGb?: number;
  /** Instances per role; 'web,monitoring' is one host in both groups. */
  count?: Partial<Record<RoleTag, number>>;
  /** CIDR allowed to reach SSH; detected (CLOUDNOVA_OPERATOR_CIDR or checkip) when absent. */
  operatorCidr?: string;
  /** Overrides the Ubuntu 24.04 lookup. */
  ami?: string;
  keyName?: string;
  /** Tag value that marks everything this project owns (default 'cloudnova'). */
  project?: string;
  sshUser?: string;
}

/** One instance the fleet should have, named by its `name` tag. */
export interface Slot {
  name: string;
  role: RoleTag;
}

export interface Ec2Config {
  file: string;
  /** Field path of the provider object, for messages ('environments.aws.provider'). */
  field: string;
  region: string;
  instanceType: string;
  rootVolumeGb: number;
  slots: Slot[];
  operatorCidr?: string;
  ami?: string;
  keyName: string;
  project: string;
  env: string;
  sshUser: string;
}

export interface ConfigSource {
  file: string;
  field: string;
  /** The inventory environment ('aws'); part of every tag and name. */
  env: string;
  /** Defaults to process.env (AWS_REGION, AWS_DEFAULT_REGION). */
  environ?: NodeJS.ProcessEnv;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const AMI = /^ami-[0-9a-f]{8,17}$/;

export function parseEc2Config(raw: unknown, src: ConfigSource): Ec2Config {
  const env = src.environ ?? process.env;
  const fail = (key: string, msg: string): never => {
    throw new ConfigError(src.file, `${src.field}.${key}`, msg);
  };
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(src.file, src.field, 'expected an object');
  const p = raw as Record<string, unknown>;
  if (p.kind !== 'ec2') fail('kind', `expected 'ec2', got ${JSON.stringify(p.kind)}`);

  const str = (key: string, dflt?: string): string | undefined => {
    const v = p[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || v.trim() === '') return fail(key, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v.trim();
  };

  const region = str('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) fail('region', 'no region: set it here or export AWS_REGION (e.g. eu-west-1)');
  else if (!REGION.test(region)) fail('region', `'${region}' is not an AWS region name (e.g. eu-west-1)`);

  const instanceType = str('instanceType', 't3.small')!;
  if (!INSTANCE_TYPE.test(instanceType)) fail('instanceType', `'${instanceType}' is not an instance type (e.g. t3.small)`);

  const rootVolumeGb = p.rootVolumeGb ?? 20;
  // Ubuntu's AMI snapshot is 8 GB; docker images need headroom, 16 TiB is the gp3 ceiling.
  if (typeof rootVolumeGb !== 'number' || !Number.isInteger(rootVolumeGb) || rootVolumeGb < 8 || rootVolumeGb > 16384) {
    fail('rootVolumeGb', `expected a whole number of GB between 8 and 16384, got ${JSON.stringify(rootVolumeGb)}`);
  }

  const project = str('project', 'cloudnova')!;
  if (!NAME.test(project)) fail('project', `'${project}' must be lowercase letters, digits and '-' (max 31)`);
  if (!NAME.test(src.env)) throw new ConfigError(src.file, src.field, `environment name '${src.env}' must be lowercase letters, digits and '-'`);

  const operatorCidr = str('operatorCidr');
  if (operatorCidr !== undefined && !isCidr(operatorCidr)) {
    fail('operatorCidr', `'${operatorCidr}' is not a CIDR (e.g. 203.0.113.7/32)`);
  }
  const ami = str('ami');
  if (ami !== undefined && !AMI.test(ami)) fail('ami', `'${ami}' is not an AMI id (ami-0123456789abcdef0)`);

  return {
    file: src.file,
    field: src.field,
    region: region!,
    instanceType,
    rootVolumeGb: rootVolumeGb as number,
    slots: parseSlots(p.count, fail),
    operatorCidr,
    ami,
    keyName: str('keyName', `${project}-${src.env}`)!,
    project,
    env: src.env,
    sshUser: str('sshUser', 'ubuntu')!,
  };
}

function parseSlots(raw: unknown, fail: (key: string, msg: string) => never): Slot[] {
  const count = (raw ?? { web: 1, monitoring: 1 }) as Record<string, unknown>;
  if (typeof count !== 'object' || count === null || Array.isArray(count)) {
    return fail('count', `expected { web: n, monitoring: n, 'web,monitoring': n }`);
  }
  const slots: Slot[] = [];
  for (const [role, n] of Object.entries(count)) {
    if (!ROLE_TAGS.includes(role as RoleTag)) fail(`count.${role}`, `unknown role: expected one of ${ROLE_TAGS.join(', ')}`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 20) {
      fail(`count.${role}`, `expected a whole number from 0 to 20, got ${JSON.stringify(n)}`);
    }
    const prefix = role === 'web,monitoring' ? 'web-monitoring' : role;
    for (let i = 1; i <= (n as number); i++) slots.push({ name: `${prefix}-${i}`, role: role as RoleTag });
  }
  if (slots.length === 0) fail('count', 'at least one instance is needed');
  if (!slots.some((s) => s.role.includes('monitoring'))) {
    // 9100 and 3000 are opened only to the monitoring host's group: without one nothing could scrape.
    fail('count', "no 'monitoring' host: add monitoring: 1 or 'web,monitoring': 1");
  }
  return slots;
}

export function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const family = isIP(m[1]!);
  return family !== 0 && Number(m[2]) <= (family === 4 ? 32 : 128);
}

/** The operator's CIDR: configured, CLOUDNOVA_OPERATOR_CIDR, or the public IP from a checkip service. */
export async function resolveOperatorCidr(
  config: Ec2Config,
  opts: { environ?: NodeJS.ProcessEnv; fetchIp?: () => Promise<string>; log?: (m: string) => void } = {},
): Promise<string> {
  if (config.operatorCidr) return config.operatorCidr;
  const field = `${config.field}.operatorCidr`;
  const fromEnv = (opts.environ ?? process.env).CLOUDNOVA_OPERATOR_CIDR?.trim();
  if (fromEnv) {
    if (!isCidr(fromEnv)) throw new ConfigError('CLOUDNOVA_OPERATOR_CIDR', 'value', `'${fromEnv}' is not a CIDR (e.g. 203.0.113.7/32)`);
    return fromEnv;
  }
  let ip: string;
  try {
    ip = (await (opts.fetchIp ?? fetchPublicIp)()).trim();
  } catch (err) {
    throw new ConfigError(
      config.file,
      field,
      `not set, and detecting this machine's public IP failed (${(err as Error).message}); ` +
        `set operatorCidr: '203.0.113.7/32' (your IP) here or export CLOUDNOVA_OPERATOR_CIDR`,
    );
  }
  const cidr = ip.includes(':') ? `${ip}/128` : `${ip}/32`;
  if (!isCidr(cidr)) throw new ConfigError(config.file, field, `checkip answered '${ip}', not an IP; set operatorCidr here`);
  opts.log?.(`operator CIDR detected: ${cidr} (SSH will be open to it only)`);
  return cidr;
}

async function fetchPublicIp(): Promise<string> {
  // Short timeout: offline machines (CI, the lab) must fail fast with the hint, not hang.
  const res = await fetch('https://checkip.amazonaws.com/', { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`checkip.amazonaws.com answered HTTP ${res.status}`);
  return res.text();
}
