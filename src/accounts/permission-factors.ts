import type { Operation } from '../audit/operations.ts';

export type PermissionFactor = {
  factor_name: string;
  factor_type: 'api' | 'button' | 'visit' | 'menu' | 'url';
};

/**
 * The fine-grained controls permissions are made of. Vigil enforces permissions per Open API
 * operation only (the console calls the same operations), so its factors are those operations, named
 * as the audit log names them (`incident:write:ack`); docs/roles.md.
 */
export function permissionFactors(operations: readonly Operation[]): PermissionFactor[] {
  const names = new Set(operations.map((op) => op.name));
  return [...names].sort().map((name) => ({ factor_name: name, factor_type: 'api' as const }));
}
