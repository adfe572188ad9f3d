// Polling with backoff: new instances take ~30 s to run and ~60 s more before sshd answers.
import { connect } from 'node:net';
import type { Ec2Api } from './client.ts';
import { Ec2Error, isCode } from './errors.ts';
import { describeInstances, type InstanceFact } from './facts.ts';

export interface Timing {
  sleep: (ms: number) => Promise<void>;
  /** Total time allowed per wait. */
  timeoutMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const defaultTiming: Timing = {
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  timeoutMs: 5 * 60_000,
  firstDelayMs: 2000,
  maxDelayMs: 15_000,
};

/** Retry `attempt` until it returns a value, doubling the delay (capped); throws `onTimeout()` at the end. */
export async function withBackoff<T>(
  timing: Timing,
  attempt: () => Promise<T | undefined>,
  onTimeout: () => Error,
): Promise<T> {
  let waited = 0;
  let delay = timing.firstDelayMs;
  for (;;) {
    const v = await attempt();
    if (v !== undefined) return v;
    if (waited >= timing.timeoutMs) throw onTimeout();
    await timing.sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, timing.maxDelayMs);
  }
}

/** Wait until every instance runs and has a public IP; a terminated one fails with AWS's reason. */
export async function waitForRunning(api: Ec2Api, ids: string[], timing: Timing, log: (m: string) => void): Promise<InstanceFact[]> {
  // DescribeInstances with no ids lists the whole account: never let that become the fleet.
  if (ids.length === 0) return [];
  let last: InstanceFact[] = [];
  return withBackoff(
    timing,
    async () => {
      try {
        last = await describeInstances(api, undefined, ids);
      } catch (err) {
        // Just-launched ids are eventually consistent: "not found" for a few seconds is normal.
        if (isCode(err, 'InvalidInstanceID.NotFound')) return undefined;
        throw err;
      }
      const dead = last.find((i) => i.state === 'terminated' || i.state === 'shutting-down');
      if (dead) throw new Ec2Error(`instance ${dead.name ?? dead.id} (${dead.id}) stopped while starting: ${dead.stateReason ?? dead.state}`, 'InstanceTerminated', 'RunInstances');
      const waiting = ids.filter((id) => {
        const i = last.find((x) => x.id === id);
        return !i || i.state !== 'running' || !i.publicIp;
      });
      if (waiting.length === 0) return last;
      log(`waiting for ${waiting.length} instance(s) to run with a public IP`);
      return undefined;
    },
    () => {
      const noIp = last.filter((i) => i.state === 'running' && !i.publicIp);
      const hint = noIp.length ? ': running without a public IP (the default subnet must map public IPs on launch)' : '';
      return new Ec2Error(`instances not running with a public IP after ${timing.timeoutMs / 1000} s${hint}`, 'WaitTimeout', 'DescribeInstances');
    },
  );
}

export type SshProbe = (host: string, port: number) => Promise<boolean>;

/**
 * Ready means sshd sent its banner, not just that the port accepted: during boot a TCP
 * connect can succeed before sshd (or cloud-init's key install) is done.
 */
export const probeSshBanner: SshProbe = (host, port) =>
  new Promise((resolve) => {
    const sock = connect({ host, port, timeout: 3000 });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    sock.once('timeout', () => done(false));
    sock.once('error', () => done(false));
    sock.once('end', () => done(false));
  });

export async function waitForSsh(hosts: { name: string; address: string }[], probe: SshProbe, timing: Timing, log: (m: string) => void): Promise<void> {
  await Promise.all(
    hosts.map((h) =>
      withBackoff(
        timing,
        async () => {
          if (await probe(h.address, 22)) return true;
          log(`waiting for ssh on ${h.name} (${h.address})`);
          return undefined;
        },
        () => new Ec2Error(`${h.name} (${h.address}): ssh did not answer on port 22 after ${timing.timeoutMs / 1000} s; check the operator CIDR rule and the instance's console output`, 'SshTimeout', 'RunInstances'),
      ),
    ),
  );
}
