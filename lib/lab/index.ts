// The lab provider: systemd containers with sshd standing in for cloud hosts.
export { labUp, labDown, labStatus, hostNames, sshBanner, LAB_USER, LAB_ADDRESS } from './lab.ts';
export type { LabOptions, LabUpOptions, LabUpResult, LabDownResult, LabStatus, LabHostStatus } from './lab.ts';
export { provideLabHosts, labHostConfig } from './provider.ts';
export type { LabHostSpec, ProvideLabHostsOptions } from './provider.ts';
export { ensureOperatorKey, defaultStateRoot } from './state.ts';
export { portsFor, slotCandidates, DEFAULT_LAB } from './ports.ts';
