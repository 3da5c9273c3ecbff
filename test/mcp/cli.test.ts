import { describe, expect, it } from 'vitest';
import { runVigil } from '../cli/processes.ts';

describe('vigil mcp', () => {
  it('needs VIGIL_URL and VIGIL_APP_KEY, and knows its toolsets', { timeout: 180_000 }, async () => {
    const noUrl = await runVigil(['mcp'], { VIGIL_URL: '', VIGIL_APP_KEY: 'k' });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/set VIGIL_URL/);
    const noKey = await runVigil(['mcp'], { VIGIL_URL: 'http://127.0.0.1:1', VIGIL_APP_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/set VIGIL_APP_KEY/);
    const badSet = await runVigil(['mcp', '--toolsets', 'incidents,pagers'], {
      VIGIL_URL: 'http://127.0.0.1:1',
      VIGIL_APP_KEY: 'k',
    });
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toMatch(/unknown toolset "pagers"/);
    const help = await runVigil(['help'], {});
    expect(help.stdout).toMatch(/mcp \[--read-only\] \[--toolsets/);
  });
});
