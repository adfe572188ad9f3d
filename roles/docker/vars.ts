// docker vars: how the engine is installed.
import { at, checkBoolean, checkObject, type Where } from '../vars-check.ts';

export interface DockerVars {
  /** Add the login user to the docker group (for later logins; this run keeps using sudo). */
  addLoginUserToGroup: boolean;
}

export const DOCKER_DEFAULTS: DockerVars = { addLoginUserToGroup: true };

export function validateDockerVars(v: unknown, where: Where): DockerVars {
  const o = checkObject(v, where, ['addLoginUserToGroup']);
  return { addLoginUserToGroup: checkBoolean(o.addLoginUserToGroup, at(where, 'addLoginUserToGroup')) };
}
