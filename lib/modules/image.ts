// A docker image present on the host, compared by image ID so a push is skipped
// when the host already has exactly that build. 'push' streams `docker save`
// from the controller, gzipped, into `docker load` on the host: no registry,
// no temp file, one SSH channel.
import { spawn } from 'node:child_process';
import { createGzip } from 'node:zlib';
import type { Connection, Module, Plan } from '../core/types.ts';
import { Shell, sh } from '../connection/quote.ts';

export interface ImageSpec {
  /** Name with tag, e.g. 'cloudnova/nginx:1.0'. */
  image: string;
  delivery: 'pull' | 'push';
  /** For 'push': the controller, where the image was built (ctx.controller). */
  controller?: Connection;
}

export interface ImageFacts {
  /** ID on the host, '' when absent. */
  hostId: string;
  /** ID on the controller ('push' only). */
  controllerId?: string;
}

export function inspectIdArgv(image: string): string[] {
  return ['docker', 'image', 'inspect', '--format', '{{.Id}}', image];
}

/** Prints the ID or nothing; still fails when docker itself cannot run (no permission). */
export function inspectIdLine(image: string): Shell {
  return new Shell(`${sh(inspectIdArgv(image)).text} 2>/dev/null || docker version >/dev/null`);
}

export function planImage(spec: ImageSpec, facts: ImageFacts): Plan {
  if (spec.delivery === 'pull') return { changes: facts.hostId ? [] : [{ what: `pull ${spec.image}` }] };
  if (!facts.controllerId) throw new Error(`image ${spec.image} is not on the controller: build it first`);
  if (facts.hostId === facts.controllerId) return { changes: [] };
  const from = facts.hostId ? short(facts.hostId) : 'absent';
  return { changes: [{ what: `push ${spec.image} (${from} -> ${short(facts.controllerId)})` }] };
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** `docker save IMAGE | gzip` on the controller, as a stream; rejects `done` if save fails. */
function saveStream(image: string): { stream: NodeJS.ReadableStream; done: Promise<void>; stop: () => void } {
  const child = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker save ${image} failed (exit ${code}): ${stderr.trim()}`))));
  });
  const stream = child.stdout.pipe(createGzip({ level: 1 }));
  // A load that fails before reading would leave docker save blocked on a full pipe forever.
  const stop = () => {
    stream.destroy();
    child.kill('SIGTERM');
  };
  return { stream, done, stop };
}

export function image(spec: ImageSpec): Module<ImageFacts> {
  if (spec.delivery === 'push' && !spec.controller) throw new Error(`image ${spec.image}: delivery 'push' needs the controller connection`);
  return {
    kind: 'image',
    subject: spec.image,
    async gather(conn) {
      const hostId = (await conn.exec(inspectIdLine(spec.image), { sudo: true })).stdout.trim();
      if (spec.delivery === 'pull') return { hostId };
      const local = await spec.controller!.exec(inspectIdArgv(spec.image), { check: false });
      return { hostId, controllerId: local.code === 0 ? local.stdout.trim() : '' };
    },
    plan: (facts) => planImage(spec, facts),
    async apply(conn) {
      if (spec.delivery === 'pull') {
        await conn.exec(['docker', 'pull', '-q', spec.image], { sudo: true, timeoutMs: 30 * 60_000 });
        return;
      }
      const save = saveStream(spec.image);
      // If save fails the load sees a truncated stream and fails too; report the save's reason first.
      const load = conn.exec(['docker', 'load', '-q'], { sudo: true, stdin: save.stream, timeoutMs: 60 * 60_000 });
      load.catch(() => save.stop());
      const [saved, loaded] = await Promise.allSettled([save.done, load]);
      if (loaded.status === 'rejected' && saved.status === 'rejected' && /exit null/.test(String(saved.reason))) throw loaded.reason;
      if (saved.status === 'rejected') throw saved.reason;
      if (loaded.status === 'rejected') throw loaded.reason;
    },
  };
}
