import type { FastifyReply, FastifyRequest } from 'fastify';
import { findKeyOwner, hashAppKey } from '../accounts/app-keys.store.ts';
import { type Actor, PERMISSIONS, type Permission, permissionsOf } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
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
 * The onRequest hook of every Open API route: app_key → member (401 otherwise), then the
 * account's rate limit (429), then the route's permission (403). It runs before the body is read,
 * so unauthenticated callers cost no parsing.
 */
export function appKeyHook(db: Db, accountLimit: RateLimit) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const rule = request.routeOptions.config.appKey;
    if (!rule) return;
    const key = (request.query as Record<string, unknown> | undefined)?.app_key;
    if (typeof key !== 'string' || key === '')
      throw new AppError('Unauthorized', 'You are unauthorized: app_key is required.');
    const owner = await findKeyOwner(db, hashAppKey(key));
    if (!owner)
      throw new AppError('Unauthorized', 'You are unauthorized: the app_key is invalid or disabled.');

    await enforceRateLimit(accountLimit, String(owner.accountId), reply);

    const actor: Actor = { ...owner, permissions: permissionsOf(owner.roleIds) };
    if (rule.permission && !actor.permissions.has(rule.permission)) {
      throw new AppError(
        'AccessDenied',
        `Access Denied: this operation needs the ${permissionName(rule.permission)} permission.`,
      );
    }
    request.actor = actor;
  };
}
