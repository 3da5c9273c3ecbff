import { PERMISSIONS, type Permission } from '../accounts/permissions.ts';

/** One Open API operation as the audit log and the permission factors name it. */
export type Operation = {
  url: string;
  method: 'GET' | 'POST';
  permission: Permission | null;
  summary: string;
  /** Flashduty's stable form, `<resource>:<read|write>:<action>`: `/incident/ack` is `incident:write:ack`. */
  name: string;
  isWrite: boolean;
  /** Removals, disabling, and changes to people, roles and credentials. */
  isDangerous: boolean;
};

/** Last path segments of operations that only read, for the few whose permission says nothing (null). */
const READ_ACTIONS =
  /^(list|infos?|get|search|query|preview|reachability|roles|export|download|feed|count|stats?)$/;
const DANGEROUS_ACTIONS = /(delete|disable|remove|revoke|truncate|reset|merge)$/;
const SENSITIVE_RESOURCES = /^\/(role|member|person|account|team)\/|^\/console\/password\//;

export function describeOperation(route: {
  url: string;
  method: 'GET' | 'POST';
  permission: Permission | null;
  summary: string;
}): Operation {
  const segments = route.url.split('/').filter(Boolean);
  const resource = segments[0] ?? '';
  const action = segments.slice(1).join('_').replaceAll('-', '_') || 'call';
  const last = segments.at(-1) ?? '';
  const type = route.permission ? PERMISSIONS.find((p) => p.key === route.permission)!.type : undefined;
  const isWrite =
    route.method === 'POST' && (type === 'manage' || (type === undefined && !READ_ACTIONS.test(last)));
  return {
    ...route,
    name: `${resource.replaceAll('-', '_')}:${isWrite ? 'write' : 'read'}:${action}`,
    isWrite,
    isDangerous: isWrite && (DANGEROUS_ACTIONS.test(last) || SENSITIVE_RESOURCES.test(route.url)),
  };
}
