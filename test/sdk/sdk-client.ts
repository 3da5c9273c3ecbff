import { expect } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { decodeGo, type GoType } from './go-json.ts';

/*
 * Flashduty's Go SDK as it talks to Vigil: the body or query each method sends, and the envelope it
 * parses (parseData in the SDK's common.go: HTTP 200, no `error`, then `data` decoded into the
 * method's struct). The SDK is not vendored; its structs are restated in test/sdk/sdk.test.ts.
 */

export type Sdk = {
  /** POST with a JSON body (postData/postEmpty/postOptionalData); returns `data` decoded as Go would. */
  post(path: string, body: Record<string, unknown>, data?: GoType): Promise<any>;
  /** GET with a query and no body (getData/getOptionalData). */
  get(path: string, query: Record<string, unknown>, data: GoType): Promise<any>;
};

export function sdkClient(t: TestApp, account: TestAccount): Sdk {
  const parse = (path: string, res: { status: number; body: any }, data: GoType | undefined) => {
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.body.error, path).toBeUndefined();
    return data === undefined ? undefined : decodeGo(res.body.data, data, `${path} data`);
  };
  return {
    post: async (path, body, data) => parse(path, await t.post(path, body, account.appKey), data),
    get: async (path, query, data) => parse(path, await t.get(path, query, account.appKey), data),
  };
}
