import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashAppKey, type KeyOwner } from '../accounts/app-keys.store.ts';
import type { AuthCache } from '../accounts/auth-cache.ts';
import { type Actor, PERMISSIONS, type Permission, permissionsOf } from '../accounts/permissions.ts';
import { AppError } from '../shared/app-error.ts';
import { enforceRateLimit, type RateLimit } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on Open API routes: they need an app_key, and this permission (null: any valid key). */
    appKey?: { permission: Permission | null };
  }
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

const permissionName = (key: Permission) => PERMISSIONS.find((p) => p.key === key)!.name;

/**
 * Another way to name the calling member when there is no app_key (the console's session cookie,
 * web/session-auth.ts): undefined when it does not apply; it throws when it applies and fails.
 */
export type SessionAuth = (request: FastifyRequest) => Promise<KeyOwner | undefined>;

/**
 * The onRequest hook of every Open API route: app_key → member (401 otherwise), then the
 * account's rate limit (429), then the route's permission (403). It runs before the body is read,
 * so unauthenticated callers cost no parsing. Without an app_key, `session` may name the member;
 * everything after that is the same, so a session can do exactly what the member's key could.
 */
export function appKeyHook(cache: AuthCache, accountLimit: RateLimit, session?: SessionAuth) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const rule = request.routeOptions.config.appKey;
    if (!rule) return;
    const key = (request.query as Record<string, unknown> | undefined)?.app_key;
    let owner: KeyOwner | undefined;
    if (typeof key === 'string' && key !== '') {
      owner = await cache.keyOwner(hashAppKey(key));
      if (!owner)
        throw new AppError('Unauthorized', 'You are unauthorized: the app_key is invalid or disabled.');
    } else {
      owner = await session?.(request);
      if (!owner) throw new AppError('Unauthorized', 'You are unauthorized: app_key is required.');
    }

    await enforceRateLimit(accountLimit, String(owner.accountId), reply);

    const actor: Actor = { ...owner, permissions: permissionsOf(owner.roleIds, owner.customPermissionIds) };
    // Vigil's MCP server marks its calls (docs/mcp.md); the member still acts, with their permissions.
    if (request.headers['x-vigil-via'] === 'assistant') actor.via = 'assistant';
    if (rule.permission && !actor.permissions.has(rule.permission)) {
      throw new AppError(
        'AccessDenied',
        `Access Denied: this operation needs the ${permissionName(rule.permission)} permission.`,
      );
    }
    request.actor = actor;
  };
}
