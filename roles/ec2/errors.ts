// SDK errors carry terse codes; these messages say what was wrong and what to do next.

export class Ec2Error extends Error {
  constructor(
    message: string,
    /** The AWS error code or SDK error name ('UnauthorizedOperation', 'CredentialsProviderError'). */
    readonly code: string,
    /** The EC2 action attempted, e.g. 'RunInstances'. */
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Ec2Error';
  }
}

/** The code of an SDK error (service exceptions set name; some set Code). */
export function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { name?: string; Code?: string; code?: string };
  return e.Code ?? e.code ?? e.name ?? 'Error';
}

export function isCode(err: unknown, ...codes: string[]): boolean {
  return codes.includes(errorCode(err));
}

export function describeAwsError(err: unknown, action: string, region?: string): Ec2Error {
  if (err instanceof Ec2Error) return err;
  const code = errorCode(err);
  const raw = err instanceof Error ? err.message : String(err);
  const where = region ? ` in ${region}` : '';
  const wrap = (msg: string) => new Ec2Error(`${action}: ${msg}`, code, action, { cause: err });

  switch (code) {
    case 'CredentialsProviderError':
      // An SSO session past its lifetime surfaces as a provider error, but the fix is a refresh.
      if (/expired/i.test(raw)) return wrap(`the AWS session has expired: run \`aws sso login\` (or get new credentials) and rerun (SDK: ${raw.split('\n')[0]!.slice(0, 160)})`);
      return wrap(
        'no AWS credentials found: export AWS_PROFILE (and run `aws sso login` for SSO profiles) ' +
          `or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (SDK: ${raw.split('\n')[0]!.slice(0, 160)})`,
      );
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'TokenRefreshRequired':
      return wrap('the AWS session token has expired: refresh it (`aws sso login`, or new temporary credentials) and rerun');
    case 'RequestExpired':
      return wrap(
        'AWS rejected the request as expired: the session token has expired, or this machine\'s clock is off ' +
          'by more than 5 minutes; refresh the credentials and check the clock (timedatectl)',
      );
    case 'AuthFailure':
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return wrap('AWS did not accept the credentials (wrong or deleted access key): check AWS_PROFILE / AWS_ACCESS_KEY_ID');
    case 'InstanceLimitExceeded':
      return wrap(
        `the account's instance limit${where} is reached (${raw}); lower count in inventory.ts, ` +
          'terminate unused instances, or request an increase in Service Quotas',
      );
    case 'VcpuLimitExceeded':
      return wrap(
        `the account's vCPU quota for this instance family${where} is reached (${raw}); lower count or instanceType, ` +
          "or request an increase in Service Quotas ('Running On-Demand Standard instances')",
      );
    case 'UnauthorizedOperation':
    case 'AccessDenied':
    case 'AccessDeniedException':
      return wrap(unauthorizedMessage(raw, action));
    case 'InvalidGroup.Duplicate':
      return wrap(`a security group with this name was created at the same time by another run and could not be read back: rerun (${raw})`);
    case 'InvalidKeyPair.Duplicate':
      return wrap(`a key pair with this name was created at the same time by another run and could not be read back: rerun (${raw})`);
    case 'VPCIdNotSpecified':
    case 'MissingInput':
      return wrap(`the region has no default VPC${where}; create one (\`aws ec2 create-default-vpc\`) and rerun (${raw})`);
    case 'OptInRequired':
      return wrap(`the account is not subscribed to EC2 or this region is not enabled${where} (${raw})`);
    case 'InvalidAMIID.NotFound':
    case 'InvalidAMIID.Malformed':
    case 'InvalidAMIID.Unavailable':
      return wrap(`the AMI is not usable${where} (${raw}); AMI ids differ per region: fix or remove provider.ami in inventory.ts`);
    case 'InsufficientInstanceCapacity':
      return wrap(`AWS has no capacity for this instance type right now${where}: retry later or change instanceType (${raw})`);
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'TimeoutError'].includes(code)) {
    const endpoint = process.env.AWS_ENDPOINT_URL_EC2 ?? process.env.AWS_ENDPOINT_URL;
    return wrap(`cannot reach the EC2 API${endpoint ? ` at ${endpoint} (AWS_ENDPOINT_URL)` : where} (${code}): check the network or proxy settings`);
  }
  if (/region is missing/i.test(raw)) {
    return wrap("no AWS region: set provider.region in inventory.ts or export AWS_REGION (e.g. 'eu-west-1')");
  }
  return wrap(`${code}: ${raw}`);
}

/**
 * The message names the missing IAM action when AWS includes it ("... is not authorized to
 * perform: ec2:RunInstances on resource ..."). Otherwise it is only in the encoded blob, which
 * needs sts:DecodeAuthorizationMessage, so we name the action we attempted instead.
 */
function unauthorizedMessage(raw: string, action: string): string {
  const named = /perform:\s*([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(raw)?.[1];
  const permission = named ?? `ec2:${action}`;
  const encoded = /Encoded authorization failure message:\s*(\S+)/.exec(raw)?.[1];
  let msg = `missing IAM permission ${permission}: grant it to the credentials in use`;
  if (!named) msg += ` (AWS did not name it; ${permission} is the action that was attempted)`;
  // The blob itself is long; it stays on error.cause for whoever has STS rights to decode it.
  if (encoded) msg += '; AWS encoded the details: decode them with `aws sts decode-authorization-message` (needs sts:DecodeAuthorizationMessage)';
  return msg;
}
