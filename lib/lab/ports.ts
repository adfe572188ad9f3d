// Published ports of lab hosts, chosen per (lab, slot, index) so they stay the
// same across `up`/`down` and never clash between two labs (the tests run a
// separate lab beside the user's). Pure: no docker, no sockets.
import { createHash } from 'node:crypto';

export interface LabPorts {
  ssh: number;
  http: number;
  https: number;
}

export const MAX_HOSTS_PER_LAB = 20;
/** Slots 1..OTHER_SLOTS serve labs other than the default one. */
const OTHER_SLOTS = 40;
export const DEFAULT_LAB = 'lab';

/**
 * Slot 0 belongs to the default lab: ssh 2221+, http 8081+, https 8441+ (easy to remember).
 * Other labs get blocks of 20 below the Linux ephemeral range (32768+), so an outgoing
 * connection never holds a port a lab host will need.
 */
export function portsFor(slot: number, index: number): LabPorts {
  if (index < 0 || index >= MAX_HOSTS_PER_LAB) throw new Error(`a lab has at most ${MAX_HOSTS_PER_LAB} hosts (index ${index})`);
  if (slot === 0) return { ssh: 2221 + index, http: 8081 + index, https: 8441 + index };
  const offset = (slot - 1) * MAX_HOSTS_PER_LAB + index;
  return { ssh: 23000 + offset, http: 24000 + offset, https: 25000 + offset };
}

/** Slots to try for a new lab, best first: stable for a name, spread across names. */
export function slotCandidates(labName: string): number[] {
  const first = Number.parseInt(createHash('sha256').update(labName).digest('hex').slice(0, 8), 16) % OTHER_SLOTS;
  const others = Array.from({ length: OTHER_SLOTS }, (_, i) => 1 + ((first + i) % OTHER_SLOTS));
  return labName === DEFAULT_LAB ? [0, ...others] : others;
}
