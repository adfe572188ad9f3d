// The lab provider: systemd containers with sshd standing in for cloud hosts.
export { labUp, labDown, labStatus, hostNames, labNameProblem, sshBanner, LAB_USER, LAB_ADDRESS } from './lab.ts';
export type { LabOptions, LabUpOptions, LabUpResult, LabDownResult, LabStatus, LabHostStatus } from './lab.ts';
export { provideLabHosts, labHostConfig } from './provider.ts';
export type { LabHostSpec, ProvideLabHostsOptions } from './provider.ts';
export { ensureOperatorKey, defaultStateRoot, stateRootId } from './state.ts';
export { labOwnership, foreignOwner, loginKeyAction, LabOwnedElsewhereError, STATE_LABEL } from './ownership.ts';
export type { LabOwnership, LoginKeyAction } from './ownership.ts';
export { portsFor, slotCandidates, DEFAULT_LAB, MAX_HOSTS_PER_LAB } from './ports.ts';
