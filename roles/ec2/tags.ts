// Tags are the only way this project recognises its resources: reruns find them by tag,
// and teardown deletes nothing that lacks the project AND env tags.
import type { Filter, Tag, TagSpecification, ResourceType } from '@aws-sdk/client-ec2';
import type { Ec2Config, RoleTag } from './config.ts';

export const TAG = {
  project: 'cloudnova:project',
  env: 'cloudnova:env',
  role: 'cloudnova:role',
  name: 'cloudnova:name',
} as const;

export interface Owner {
  project: string;
  env: string;
}

export function ownerOf(config: Ec2Config): Owner {
  return { project: config.project, env: config.env };
}

/** Server-side filter: resources carrying this project's and env's tags. */
export function ownerFilters(owner: Owner): Filter[] {
  return [
    { Name: `tag:${TAG.project}`, Values: [owner.project] },
    { Name: `tag:${TAG.env}`, Values: [owner.env] },
  ];
}

export function tagValue(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** Client-side check as well: a filter typo must never widen what teardown deletes. */
export function isOwned(tags: Tag[] | undefined, owner: Owner): boolean {
  return tagValue(tags, TAG.project) === owner.project && tagValue(tags, TAG.env) === owner.env;
}

/** Tags for one resource: owner, logical name, console Name, and the role for instances. */
export function resourceTags(owner: Owner, name: string, role?: RoleTag): Tag[] {
  const tags: Tag[] = [
    { Key: TAG.project, Value: owner.project },
    { Key: TAG.env, Value: owner.env },
    { Key: TAG.name, Value: name },
    { Key: 'Name', Value: `${owner.project}-${owner.env}-${name}` },
  ];
  if (role) tags.push({ Key: TAG.role, Value: role });
  return tags;
}

export function tagSpec(type: ResourceType, tags: Tag[]): TagSpecification {
  return { ResourceType: type, Tags: tags };
}
