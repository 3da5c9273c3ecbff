import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

/** Failed sign-ins allowed per window before that e-mail (or address) must wait out the window. */
const WINDOW_SECONDS = 15 * 60;
const PER_EMAIL = 5;
const PER_IP = 50;

/*
 * Slows guessing down: failures are counted per e-mail (one account attacked from many places) and
 * per client address (many accounts tried from one place). Past the allowance the caller waits for
 * the window to end, whatever the password. In Redis when configured, so every instance counts.
 */
export class SignInThrottle {
  readonly #email: RateLimiterAbstract;
  readonly #ip: RateLimiterAbstract;

  constructor(redis?: Redis) {
    const make = (name: string, points: number) => {
      const options = { points, duration: WINDOW_SECONDS, keyPrefix: `vigil:signin:${name}` };
      const memory = new RateLimiterMemory(options);
      return redis
        ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
        : memory;
    };
    this.#email = make('email', PER_EMAIL);
    this.#ip = make('ip', PER_IP);
  }

  /** Seconds the caller must wait before trying again; 0 when they may try now. */
  async waitSeconds(email: string, ip: string): Promise<number> {
    const [byEmail, byIp] = await Promise.all([this.#email.get(emailKey(email)), this.#ip.get(ip)]);
    const over = (res: typeof byEmail, points: number) =>
      res && res.consumedPoints >= points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
    return Math.max(over(byEmail, PER_EMAIL), over(byIp, PER_IP));
  }

  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.#email.consume(emailKey(email)).catch(() => undefined),
      this.#ip.consume(ip).catch(() => undefined),
    ]);
  }

  /** A correct password clears the e-mail's count (not the address's: one success must not unlock many tries). */
  async succeeded(email: string): Promise<void> {
    await this.#email.delete(emailKey(email));
  }
}

const emailKey = (email: string) => email.trim().toLowerCase();
