// node-exporter vars: extra collector flags; the port is fixed by the conventions (9100).
import { at, checkObject, checkStringList, type Where } from '../vars-check.ts';

export interface NodeExporterVars {
  /** Extra flags such as --no-collector.wifi. */
  extraFlags: string[];
}

export const NODE_EXPORTER_DEFAULTS: NodeExporterVars = { extraFlags: [] };

export function validateNodeExporterVars(v: unknown, where: Where): NodeExporterVars {
  const o = checkObject(v, where, ['extraFlags']);
  return { extraFlags: checkStringList(o.extraFlags, at(where, 'extraFlags'), /^--[a-z0-9.-]+(=\S*)?$/, 'flags such as --no-collector.wifi') };
}
