import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch } from '../../web/src/filters.ts';

describe('incident list filters in the address (issue 23)', () => {
  it('leaves the defaults out and reads back what it wrote', () => {
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe('');
    expect(filtersFromSearch('')).toEqual(DEFAULT_FILTERS);
    const picked = {
      progress: ['Closed' as const],
      severities: ['Critical' as const, 'Warning' as const],
      channelId: 12,
      mine: true,
      range: { kind: 'days' as const, from: '2026-12-01', to: '2026-12-07' },
      query: 'disk full',
    };
    const search = filtersToSearch(picked);
    expect(search).toBe(
      '?progress=Closed&severity=Critical%2CWarning&channel=12&mine=1&from=2026-12-01&to=2026-12-07&q=disk+full',
    );
    expect(filtersFromSearch(search)).toEqual(picked);
    expect(filtersFromSearch(filtersToSearch({ ...DEFAULT_FILTERS, progress: [] })).progress).toEqual([]);
    expect(filtersFromSearch('?hours=24').range).toEqual({ kind: 'last', hours: 24 });
  });

  it('falls back to the default for anything it does not know', () => {
    expect(filtersFromSearch('?progress=Bogus&severity=x&channel=-3&hours=1e9&from=2026-13&to=x')).toEqual(
      DEFAULT_FILTERS,
    );
  });
});
