// The ec2 provider's public surface, for playbooks (site.ts --env aws, teardown.ts).
// It is not a per-host Role: it runs once before the plays and produces their hosts.
export { parseEc2Config, resolveOperatorCidr, type Ec2Config, type Ec2ProviderInput, type RoleTag, type Slot } from './config.ts';
export { provisionEc2, hostFromInstance, groupsOfHosts, type ProvisionOptions, type ProvisionResult } from './provider.ts';
export { findTeardownTargets, describeTeardown, teardownEc2, isEmpty, type TeardownTargets } from './teardown.ts';
export { makeEc2Client, ec2Api, type Ec2Api } from './client.ts';
export { Ec2Error, describeAwsError } from './errors.ts';
export { planEc2, desiredRules, type Ec2Plan, type Ec2Change, type Ec2Desired } from './plan.ts';
export { defaultTiming, type Timing } from './wait.ts';
