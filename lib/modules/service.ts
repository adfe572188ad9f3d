// A systemd unit enabled and/or in the wanted state. 'restarted' and 'reloaded'
// always act (they are what handlers ask for), so they always report changed.
import type { Change, Module, Plan } from '../core/types.ts';
import { type Shell, and } from '../connection/quote.ts';
import { batch, parseSections, section } from './probe.ts';

export interface ServiceSpec {
  name: string;
  enabled?: boolean;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  /** Run `systemctl daemon-reload` first (after a unit file changed). */
  daemonReload?: boolean;
}

export interface ServiceFacts {
  /** systemctl is-enabled: enabled, disabled, static, masked, ... ('' when unknown). */
  enabled: string;
  /** systemctl is-active: active, inactive, failed, ... */
  active: string;
}

export function gatherServiceLine(name: string): Shell {
  return batch(section('enabled', ['systemctl', 'is-enabled', name]), section('active', ['systemctl', 'is-active', name]));
}

export function parseServiceFacts(stdout: string): ServiceFacts {
  const s = parseSections(stdout);
  return { enabled: (s.enabled ?? '').trim(), active: (s.active ?? '').trim() };
}

export function planService(spec: ServiceSpec, facts: ServiceFacts): Plan {
  const changes: Change[] = [];
  const isEnabled = ['enabled', 'enabled-runtime', 'static', 'alias'].includes(facts.enabled);
  if (spec.enabled === true && !isEnabled) changes.push({ what: 'enable' });
  if (spec.enabled === false && facts.enabled === 'enabled') changes.push({ what: 'disable' });
  const running = facts.active === 'active' || facts.active === 'reloading' || facts.active === 'activating';
  if (spec.state === 'started' && !running) changes.push({ what: 'start' });
  if (spec.state === 'stopped' && running) changes.push({ what: 'stop' });
  if (spec.state === 'restarted') changes.push({ what: 'restart' });
  // Reloading a stopped unit fails; start it instead.
  if (spec.state === 'reloaded') changes.push({ what: running ? 'reload' : 'start' });
  return { changes };
}

export function serviceApplyLine(spec: ServiceSpec, plan: Plan): Shell {
  const steps: string[][] = spec.daemonReload ? [['systemctl', 'daemon-reload']] : [];
  for (const { what } of plan.changes) steps.push(['systemctl', what, spec.name]);
  return and(...steps);
}

export function service(spec: ServiceSpec): Module<ServiceFacts> {
  return {
    kind: 'service',
    subject: spec.name,
    async gather(conn) {
      return parseServiceFacts((await conn.exec(gatherServiceLine(spec.name), { sudo: true })).stdout);
    },
    plan: (facts) => planService(spec, facts),
    async apply(conn, plan) {
      await conn.exec(serviceApplyLine(spec, plan), { sudo: true });
    },
  };
}
