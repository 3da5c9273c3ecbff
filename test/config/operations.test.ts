import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config/config.ts';
import { databaseTimeouts } from '../../src/db/db.ts';

/* The settings of database and Redis faults (docs/engine.md, "Operations"): defaults, ranges, and their documentation. */

const SETTINGS = {
  DATABASE_STARTUP_TIMEOUT_SECONDS: ['databaseStartupTimeoutSeconds', 300, 1, 86_400],
  DATABASE_STATEMENT_TIMEOUT_SECONDS: ['databaseStatementTimeoutSeconds', 30, 1, 3600],
  DATABASE_LONG_STATEMENT_TIMEOUT_SECONDS: ['databaseLongStatementTimeoutSeconds', 600, 1, 86_400],
  DATABASE_CONNECT_TIMEOUT_SECONDS: ['databaseConnectTimeoutSeconds', 5, 1, 300],
  REDIS_COMMAND_TIMEOUT_MS: ['redisCommandTimeoutMs', 50, 1, 60_000],
} as const;

describe('database and Redis timeout settings', () => {
  it('default, accept their range, refuse outside it naming the variable, and are documented', () => {
    const defaults = loadConfig({});
    for (const [name, [key, fallback, min, max]] of Object.entries(SETTINGS)) {
      expect(defaults[key]).toBe(fallback);
      expect(loadConfig({ [name]: String(min) })[key]).toBe(min);
      expect(loadConfig({ [name]: String(max) })[key]).toBe(max);
      for (const bad of [String(min - 1), String(max + 1), '1.5', 'soon']) {
        expect(() => loadConfig({ [name]: bad })).toThrow(ConfigError);
        expect(() => loadConfig({ [name]: bad })).toThrow(
          `${name} must be a whole number from ${min} to ${max}`,
        );
      }
      expect(CONFIG_VARIABLES.find((v) => v.name === name)?.default).toBe(String(fallback));
    }
  });

  it('turn into the database layer’s timeouts in milliseconds', () => {
    const config = loadConfig({
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '2',
      DATABASE_LONG_STATEMENT_TIMEOUT_SECONDS: '60',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '3',
    });
    expect(databaseTimeouts(config)).toEqual({ statementMs: 2000, longStatementMs: 60_000, connectMs: 3000 });
  });
});
