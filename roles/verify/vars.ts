// verify vars: how long to wait for the stack to become healthy.
import { at, checkObject, checkPositiveInt, type Where } from '../vars-check.ts';

export interface VerifyVars {
  /** Give up waiting (first scrape, container health) after this long. */
  timeoutSeconds: number;
  intervalSeconds: number;
}

export const VERIFY_DEFAULTS: VerifyVars = { timeoutSeconds: 180, intervalSeconds: 3 };

export function validateVerifyVars(v: unknown, where: Where): VerifyVars {
  const o = checkObject(v, where, ['timeoutSeconds', 'intervalSeconds']);
  return {
    timeoutSeconds: checkPositiveInt(o.timeoutSeconds, at(where, 'timeoutSeconds')),
    intervalSeconds: checkPositiveInt(o.intervalSeconds, at(where, 'intervalSeconds')),
  };
}
