import { describe, expect, it } from 'vitest';
import { auditBody, auditTarget, MASK, maskSecrets } from './mask.ts';

describe('maskSecrets', () => {
  it('masks secret fields at any depth and keeps the rest', () => {
    expect(
      maskSecrets({
        name: 'bot',
        password: 'p',
        settings: { token: 't', sign_secret: 's', alias: 'a', integration_key: 'k', verify_token: '' },
        headers: [{ Authorization: 'Bearer x' }],
        alert_key: 'cpu-high',
        key_id: 7,
        enabled: true,
      }),
    ).toEqual({
      name: 'bot',
      password: MASK,
      settings: { token: MASK, sign_secret: MASK, alias: 'a', integration_key: MASK, verify_token: '' },
      headers: [{ Authorization: MASK }],
      alert_key: 'cpu-high',
      key_id: 7,
      enabled: true,
    });
  });

  it('masks credentials in URLs: passwords and secret query parameters', () => {
    const masked = maskSecrets({
      url: 'https://user:pw@hooks.example.com/robot/send?access_token=abc123&lang=en',
      other: 'https://oapi.example.com/x?sign=zzz&timestamp=1',
    }) as Record<string, string>;
    expect(masked.url).not.toContain('abc123');
    expect(masked.url).not.toContain(':pw@');
    expect(masked.url).toContain('lang=en');
    expect(masked.other).not.toContain('zzz');
    expect(masked.other).toContain('timestamp=1');
  });

  it('cuts the body at 10 KB and names the ids a request touched', () => {
    expect(auditBody({ text: 'x'.repeat(20_000) })).toHaveLength(10_240);
    expect(auditBody(undefined)).toBe('');
    expect(auditTarget({ incident_ids: ['a'], channel_id: 3, title: 'no' })).toBe(
      '{"incident_ids":["a"],"channel_id":3}',
    );
  });
});
