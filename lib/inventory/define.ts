// The inventory file format. inventory.ts does `export default defineInventory({...})`;
// the types catch most mistakes in the editor, load.ts checks the rest at run time.
import type { Vars } from '../core/types.ts';

/** Settings a provider (lab, ec2) reads; each provider validates its own keys. */
export interface ProviderConfig {
  kind: string;
  [key: string]: unknown;
}

export interface JumpDefinition {
  address: string;
  /** Default 22. */
  port?: number;
  /** Default: the target host's user. */
  user?: string;
  /** Default: the target host's key. */
  privateKey?: string;
}

export interface HostDefinition {
  /** Required unless the environment has a provider (it supplies addresses) or `local` is set. */
  address?: string;
  /** Default 22. */
  port?: number;
  /** Default 'root'. */
  user?: string;
  /** Path to the private key; relative to the inventory file, `~/` allowed. Default: the state folder's ssh/id_ed25519. */
  privateKey?: string;
  jump?: JumpDefinition;
  /** How the other hosts reach this one (VPC or lab IP). */
  privateAddress?: string;
  publicNames?: string[];
  /** Use sudo for privileged commands. Default true (skipped anyway when user is root). */
  become?: boolean;
  /** The controller itself: commands run locally, no SSH. */
  local?: boolean;
  vars?: Vars;
}

export interface GroupDefinition {
  /** Member host names; in a provider environment these name the hosts to create. */
  hosts?: string[];
  vars?: Vars;
}

export interface EnvironmentDefinition {
  /** Hosts are created at run time by this provider (the lab, EC2). */
  provider?: ProviderConfig;
  /** Overrides the inventory-wide vars for this environment. */
  vars?: Vars;
  /** Declaration order is merge order: a later group's vars win. 'all' is implicit. */
  groups?: Record<string, GroupDefinition>;
  hosts?: Record<string, HostDefinition>;
}

export interface InventoryDefinition {
  /** Used when neither --env nor CLOUDNOVA_ENV is given. */
  defaultEnv: string;
  /** Vars of every host in every environment (the lowest precedence). */
  vars?: Vars;
  environments: Record<string, EnvironmentDefinition>;
}

/** Identity at run time; gives inventory.ts its types (and editor completion). */
export function defineInventory<const T extends InventoryDefinition>(definition: T): T {
  return definition;
}
