import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { getAccount, getMember } from '../accounts/members.store.ts';
import type { AppDeps } from '../http/app.ts';
import { type Api, auditedConsoleWrite, envelope, openApi } from '../http/route.ts';
import { deliveryCapabilities } from '../notifications/preferences.ts';
import { EmailProvider } from '../notifications/providers/email.ts';
import { AppError } from '../shared/app-error.ts';
import {
  acceptInvite,
  changePassword,
  createInvite,
  csrfMatches,
  describeInvite,
  findConsoleSession,
  type NewSession,
  SESSION_IDLE_SECONDS,
  signIn,
  signOut,
} from './console.service.ts';
import { readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';
import { CSRF_HEADER } from './session-auth.ts';
import { SignInThrottle } from './throttle.ts';

const Console = ['Console'];
const SessionInfo = Type.Object({
  account_id: Type.Number(),
  member_id: Type.Number(),
  csrf_token: Type.String({
    description: 'Send it in the X-CSRF-Token header of every call made with the session.',
  }),
});
/** GET /console/session: the session, and what the server can deliver (the console warns on it). */
const SessionState = Type.Object({
  ...SessionInfo.properties,
  delivery: Type.Object(
    { email: Type.Boolean(), phone: Type.Boolean() },
    {
      description:
        'What this server can deliver: e-mail when SMTP_URL is set, SMS and voice when PHONE_PROVIDER_URL is.',
    },
  ),
});
const Password = Type.String({ maxLength: PASSWORD_MAX_LENGTH });
const Token = Type.String({ minLength: 1, maxLength: 200 });

/**
 * The console's own endpoints (docs/console.md): sign-in, sign-out, the current session, invite
 * links. Everything else the console does goes through the Open API with its session.
 */
export function registerConsoleRoutes(app: Api, deps: AppDeps): void {
  const throttle = new SignInThrottle(deps.redis);
  const email = new EmailProvider({
    smtpUrl: deps.config.smtpUrl,
    from: deps.config.smtpFrom,
    timeoutMs: 10_000,
  });
  app.addHook('onClose', async () => email.close());

  /** E-mails an invite link to the member when SMTP is configured; says to whom, or why not. */
  const mailInvite = async (
    accountId: number,
    memberId: number,
    invite: { invite_url: string; expires_at: number },
  ): Promise<{ emailed_to: string; email_error: string }> => {
    if (!email.configured) return { emailed_to: '', email_error: '' };
    const [member, account] = await Promise.all([
      getMember(deps.db.q, accountId, memberId),
      getAccount(deps.db.q, accountId),
    ]);
    if (!member?.email) return { emailed_to: '', email_error: 'the member has no e-mail address' };
    const expires = new Date(invite.expires_at * 1000).toUTCString();
    const result = await email.send({
      channel: 'email',
      target: { address: member.email },
      title: `You are invited to ${account?.account_name || 'Vigil'} on Vigil`,
      body: [
        `Hello ${member.member_name},`,
        '',
        `You have been invited to the Vigil console of ${account?.account_name || 'your team'}.`,
        'Open this link to choose your password and sign in:',
        '',
        invite.invite_url,
        '',
        `The link works once and expires ${expires}.`,
      ].join('\n'),
      notificationId: 0,
    });
    return result.ok
      ? { emailed_to: member.email, email_error: '' }
      : { emailed_to: '', email_error: result.error };
  };
  const secure = (request: FastifyRequest) =>
    request.protocol === 'https' || deps.config.publicUrl.startsWith('https://');
  const startSession = (request: FastifyRequest, reply: FastifyReply, session: NewSession) => {
    reply.header(
      'set-cookie',
      sessionCookie(session.token, { maxAgeSeconds: SESSION_IDLE_SECONDS, secure: secure(request) }),
    );
    return {
      request_id: request.id,
      data: { account_id: session.accountId, member_id: session.memberId, csrf_token: session.csrfToken },
    };
  };

  app.post(
    '/console/sign-in',
    {
      schema: {
        tags: Console,
        summary: 'Sign in to the console with e-mail and password',
        security: [],
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Password }),
        response: { 200: envelope(SessionInfo) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const wait = await throttle.waitSeconds(email, request.ip);
      if (wait > 0) {
        reply.header('Retry-After', wait);
        throw new AppError(
          'RequestTooFrequently',
          `Too many failed sign-ins: try again in ${Math.ceil(wait / 60)} minute(s).`,
        );
      }
      let session: NewSession;
      try {
        session = await signIn(deps, { email, password });
      } catch (error) {
        if (error instanceof AppError && error.code === 'Unauthorized')
          await throttle.failed(email, request.ip);
        throw error;
      }
      await throttle.succeeded(email);
      return startSession(request, reply, session);
    },
  );

  app.get(
    '/console/session',
    {
      schema: {
        tags: Console,
        summary: "The console session's member and CSRF token",
        security: [],
        response: { 200: envelope(SessionState) },
      },
    },
    async (request) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token === undefined ? undefined : await findConsoleSession(deps, token);
      if (!session) throw new AppError('Unauthorized', 'You are unauthorized: sign in to the console.');
      return {
        request_id: request.id,
        data: {
          account_id: session.accountId,
          member_id: session.memberId,
          csrf_token: session.csrfToken,
          delivery: deliveryCapabilities(deps.config),
        },
      };
    },
  );

  app.post(
    '/console/sign-out',
    {
      schema: {
        tags: Console,
        summary: 'End the console session',
        security: [],
        response: { 200: envelope(Type.Object({})) },
      },
    },
    async (request, reply) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token === undefined ? undefined : await findConsoleSession(deps, token);
      if (token !== undefined && session) {
        // Only the console itself may end its session: another site cannot send the token.
        const given = request.headers[CSRF_HEADER];
        if (!csrfMatches(session.csrfToken, typeof given === 'string' ? given : undefined))
          throw new AppError('AccessDenied', 'Access Denied: the X-CSRF-Token header is missing or wrong.');
        await signOut(deps, token);
      }
      reply.header('set-cookie', sessionCookie('', { maxAgeSeconds: 0, secure: secure(request) }));
      return { request_id: request.id, data: {} };
    },
  );

  const passwordChange = auditedConsoleWrite(app, {
    url: '/console/password/change',
    summary: "Change the signed-in member's password",
  });
  app.post(
    '/console/password/change',
    {
      schema: {
        tags: Console,
        summary: "Change the signed-in member's password; their other sessions end, this one stays",
        security: [],
        body: Type.Object({ current_password: Password, new_password: Password }),
        response: { 200: envelope(Type.Object({})) },
      },
    },
    async (request) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token === undefined ? undefined : await findConsoleSession(deps, token);
      if (token === undefined || !session)
        throw new AppError('Unauthorized', 'You are unauthorized: sign in to the console.');
      const given = request.headers[CSRF_HEADER];
      if (!csrfMatches(session.csrfToken, typeof given === 'string' ? given : undefined))
        throw new AppError('AccessDenied', 'Access Denied: the X-CSRF-Token header is missing or wrong.');
      // Guessing the current password through this form is slowed down like sign-in.
      const key = `member:${session.memberId}`;
      const wait = await throttle.waitSeconds(key, request.ip);
      if (wait > 0)
        throw new AppError(
          'RequestTooFrequently',
          `Too many wrong passwords: try again in ${Math.ceil(wait / 60)} minute(s).`,
        );
      try {
        await passwordChange(request, session, () =>
          changePassword(deps, token, {
            currentPassword: request.body.current_password,
            newPassword: request.body.new_password,
          }),
        );
      } catch (error) {
        if (error instanceof AppError && error.message.includes('current_password'))
          await throttle.failed(key, request.ip);
        throw error;
      }
      await throttle.succeeded(key);
      return { request_id: request.id, data: {} };
    },
  );

  openApi(
    app,
    '/console/invite/create',
    {
      tag: 'Console',
      summary: 'A single-use link with which a member sets their console password',
      permission: 'members.manage',
      input: Type.Object({ member_id: Id }),
      data: Type.Object({
        invite_url: Type.String(),
        expires_at: Type.Number(),
        emailed_to: Type.String({
          description:
            'The address the link was e-mailed to; empty when it was not (no SMTP_URL, no e-mail, or a failure).',
        }),
        email_error: Type.String({
          description: 'Why the link could not be e-mailed; empty when it was, or SMTP is off.',
        }),
      }),
    },
    async ({ actor, input }) => {
      const invite = await createInvite(
        { ...deps, publicUrl: deps.config.publicUrl },
        actor,
        input.member_id,
      );
      const mailed = await mailInvite(actor.accountId, input.member_id, invite);
      return { ...invite, ...mailed };
    },
  );

  app.post(
    '/console/invite/info',
    {
      schema: {
        tags: Console,
        summary: 'Who an invite link is for',
        security: [],
        body: Type.Object({ token: Token }),
        response: {
          200: envelope(
            Type.Object({ member_name: Type.String(), email: Type.String(), expires_at: Type.Number() }),
          ),
        },
      },
    },
    async (request) => ({ request_id: request.id, data: await describeInvite(deps, request.body.token) }),
  );

  app.post(
    '/console/invite/accept',
    {
      schema: {
        tags: Console,
        summary: 'Set the password of an invite link and sign in',
        security: [],
        body: Type.Object({ token: Token, password: Password }),
        response: { 200: envelope(SessionInfo) },
      },
    },
    async (request, reply) =>
      startSession(request, reply, await acceptInvite(deps, request.body.token, request.body.password)),
  );
}
