// One EC2 client per run, and one send() that turns SDK errors into messages that name the action.
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { describeAwsError } from './errors.ts';

/**
 * The SDK reads AWS_ENDPOINT_URL(_EC2) itself in recent versions; passing it explicitly
 * keeps EC2-compatible endpoints (LocalStack, moto) working whatever the SDK version.
 */
export function makeEc2Client(region: string, environ: NodeJS.ProcessEnv = process.env): EC2Client {
  // The project targets Node 20 (package.json engines): the SDK's "upgrade to Node 22" notice
  // would otherwise open every run's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config: EC2ClientConfig = { region, maxAttempts: 5 };
  const endpoint = environ.AWS_ENDPOINT_URL_EC2 ?? environ.AWS_ENDPOINT_URL;
  if (endpoint) config.endpoint = endpoint;
  return new EC2Client(config);
}

/** The output type of an SDK command, read from its middleware handler. */
type OutputOf<C> = C extends { resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: infer O }> }
  ? O
  : never;

interface AnyCommand {
  readonly input: object;
  resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: unknown }>;
}

export interface Ec2Api {
  readonly client: EC2Client;
  readonly region: string;
  send<C extends AnyCommand>(command: C): Promise<OutputOf<C>>;
}

export function ec2Api(client: EC2Client, region: string): Ec2Api {
  return {
    client,
    region,
    async send<C extends AnyCommand>(command: C): Promise<OutputOf<C>> {
      const action = command.constructor.name.replace(/Command$/, '');
      try {
        return (await client.send(command as never)) as OutputOf<C>;
      } catch (err) {
        throw describeAwsError(err, action, region);
      }
    },
  };
}
