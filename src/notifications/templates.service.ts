import { sql } from 'kysely';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { toPage } from '../http/pagination.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newObjectId } from '../shared/ids.ts';
import {
  DEFAULT_BODIES,
  DEFAULT_TEMPLATE_ID,
  DEFAULT_TEMPLATE_NAME,
  TEMPLATE_CHANNELS,
  type TemplateChannel,
} from './default-template.ts';
import { TEMPLATE_FIELDS } from './template-data.ts';
import { parseTemplate, TemplateError } from './template-engine.ts';
import type { TemplateCreateRequest, TemplateInfo, TemplateListRequest } from './templates.schemas.ts';

/*
 * Notification templates: /template/* (docs/notifications.md). Every account also has the default
 * template (DEFAULT_TEMPLATE_ID), which is read-only.
 */

type Executor = Db['q'];
type Deps = { db: Db; clock: Clock };

export type Bodies = Partial<Record<TemplateChannel, string>>;

/** Checks every channel body parses; the error names the field and the position. */
function checkBodies(bodies: Bodies): void {
  for (const channel of TEMPLATE_CHANNELS) {
    const body = bodies[channel];
    if (!body) continue;
    try {
      parseTemplate(body, { fields: TEMPLATE_FIELDS });
    } catch (error) {
      if (error instanceof TemplateError)
        throw invalidParameter(channel, `the template does not parse: ${error.message}`);
      throw error;
    }
  }
}

function bodiesOf(input: TemplateCreateRequest): Bodies {
  const bodies: Bodies = {};
  for (const channel of TEMPLATE_CHANNELS) if (input[channel]) bodies[channel] = input[channel];
  return bodies;
}

type TemplateRow = {
  template_id: string;
  account_id: number;
  team_id: number;
  template_name: string;
  description: string;
  bodies: Record<string, string>;
  status: 'enabled' | 'disabled' | 'deleted';
  creator_id: number;
  updated_by: number;
  deleted_at: number;
  created_at: number;
  updated_at: number;
};

function toInfo(row: TemplateRow): TemplateInfo {
  const bodies = Object.fromEntries(TEMPLATE_CHANNELS.map((c) => [c, row.bodies[c] ?? ''])) as Record<
    TemplateChannel,
    string
  >;
  return {
    account_id: row.account_id,
    team_id: row.team_id,
    template_id: row.template_id,
    template_name: row.template_name,
    description: row.description,
    ...bodies,
    status: row.status,
    creator_id: row.creator_id,
    updated_by: row.updated_by,
    deleted_at: row.deleted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The default template, as this account sees it. */
function defaultRow(accountId: number): TemplateRow {
  return {
    template_id: DEFAULT_TEMPLATE_ID,
    account_id: accountId,
    team_id: 0,
    template_name: DEFAULT_TEMPLATE_NAME,
    description:
      'Built into Vigil: used when no template is named, and for channels a template leaves empty.',
    bodies: DEFAULT_BODIES,
    status: 'enabled',
    creator_id: 0,
    updated_by: 0,
    deleted_at: 0,
    created_at: 0,
    updated_at: 0,
  };
}

async function checkTeam(q: Executor, accountId: number, teamId: number | undefined): Promise<void> {
  if (!teamId) return;
  const team = await q
    .selectFrom('teams')
    .select('team_id')
    .where('account_id', '=', accountId)
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  if (!team) throw invalidParameter('team_id', `team ${teamId} does not exist`);
}

function nameTaken(name: string): AppError {
  return invalidParameter('template_name', `a template named ${JSON.stringify(name)} already exists`);
}

export async function createTemplate(deps: Deps, actor: Actor, input: TemplateCreateRequest) {
  const bodies = bodiesOf(input);
  checkBodies(bodies);
  if (input.template_name.toLowerCase() === DEFAULT_TEMPLATE_NAME.toLowerCase())
    throw nameTaken(input.template_name);
  await checkTeam(deps.db.q, actor.accountId, input.team_id);
  const now = Math.floor(deps.clock.nowMs() / 1000);
  const templateId = newObjectId(deps.clock.nowMs());
  try {
    await deps.db.q
      .insertInto('notification_templates')
      .values({
        template_id: templateId,
        account_id: actor.accountId,
        team_id: input.team_id ?? 0,
        template_name: input.template_name,
        description: input.description ?? '',
        bodies: JSON.stringify(bodies),
        creator_id: actor.memberId,
        updated_by: actor.memberId,
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.template_name);
    throw error;
  }
  return { template_id: templateId, template_name: input.template_name };
}

function readOnlyDefault(): AppError {
  return new AppError(
    'BadRequest',
    'The default template cannot be changed or deleted; create a template instead',
  );
}

export async function updateTemplate(
  deps: Deps,
  actor: Actor,
  input: TemplateCreateRequest & { template_id: string },
): Promise<void> {
  const id = input.template_id.toLowerCase();
  if (id === DEFAULT_TEMPLATE_ID) throw readOnlyDefault();
  const bodies = bodiesOf(input);
  checkBodies(bodies);
  if (input.template_name.toLowerCase() === DEFAULT_TEMPLATE_NAME.toLowerCase())
    throw nameTaken(input.template_name);
  await checkTeam(deps.db.q, actor.accountId, input.team_id);
  try {
    const result = await deps.db.q
      .updateTable('notification_templates')
      .set({
        team_id: input.team_id ?? 0,
        template_name: input.template_name,
        description: input.description ?? '',
        bodies: JSON.stringify(bodies),
        updated_by: actor.memberId,
        updated_at: Math.floor(deps.clock.nowMs() / 1000),
      })
      .where('account_id', '=', actor.accountId)
      .where('template_id', '=', id)
      .where('status', '<>', 'deleted')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound(`template ${input.template_id}`);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.template_name);
    throw error;
  }
}

export async function deleteTemplate(deps: Deps, actor: Actor, templateId: string): Promise<void> {
  const id = templateId.toLowerCase();
  if (id === DEFAULT_TEMPLATE_ID) throw readOnlyDefault();
  const now = Math.floor(deps.clock.nowMs() / 1000);
  const result = await deps.db.q
    .updateTable('notification_templates')
    .set({ status: 'deleted', deleted_at: now, updated_at: now, updated_by: actor.memberId })
    .where('account_id', '=', actor.accountId)
    .where('template_id', '=', id)
    .where('status', '<>', 'deleted')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound(`template ${templateId}`);
}

/** A template of the account (the default one included), deleted ones too when `withDeleted`. */
/**
 * Flashduty's preset template, by the id its Go SDK asks /template/info for: Vigil answers its own
 * default template under that id too (docs/notifications.md).
 */
const FLASHDUTY_PRESET_TEMPLATE_ID = '6321aad26c12104586a88916';

export async function findTemplate(
  q: Executor,
  accountId: number,
  templateId: string,
  withDeleted = false,
): Promise<TemplateRow | undefined> {
  const id = templateId.toLowerCase();
  if (id === DEFAULT_TEMPLATE_ID || id === FLASHDUTY_PRESET_TEMPLATE_ID) return defaultRow(accountId);
  let query = q
    .selectFrom('notification_templates')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('template_id', '=', id);
  if (!withDeleted) query = query.where('status', '<>', 'deleted');
  return (await query.executeTakeFirst()) as TemplateRow | undefined;
}

export async function templateInfo(deps: Deps, actor: Actor, templateId: string): Promise<TemplateInfo> {
  const row = await findTemplate(deps.db.q, actor.accountId, templateId);
  if (!row) throw notFound(`template ${templateId}`);
  return toInfo(row);
}

/**
 * /template/list: the default template first (it matches unless a filter excludes it), then the
 * account's templates that are not deleted.
 */
export async function listTemplates(deps: Deps, actor: Actor, input: TemplateListRequest) {
  const page = toPage(input, 20);
  const q = deps.db.q;
  let teamIds = input.team_ids && input.team_ids.length > 0 ? input.team_ids : undefined;
  if (input.is_my_team) {
    const mine = await q
      .selectFrom('team_members')
      .innerJoin('teams', 'teams.team_id', 'team_members.team_id')
      .select('team_members.team_id')
      .where('teams.account_id', '=', actor.accountId)
      .where('team_members.person_id', '=', actor.memberId)
      .execute();
    const own = mine.map((m) => m.team_id);
    teamIds = teamIds ? teamIds.filter((id) => own.includes(id)) : own;
    if (teamIds.length === 0) teamIds = [-1];
  }
  const query = input.query?.trim().toLowerCase() ?? '';
  const defaultMatches =
    !teamIds && !input.creator_id && (query === '' || DEFAULT_TEMPLATE_NAME.toLowerCase().includes(query));

  let base = q
    .selectFrom('notification_templates')
    .where('account_id', '=', actor.accountId)
    .where('status', '<>', 'deleted');
  if (teamIds) base = base.where('team_id', 'in', teamIds);
  if (input.creator_id) base = base.where('creator_id', '=', input.creator_id);
  if (query) {
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([eb(sql`lower(template_name)`, 'like', pattern), eb(sql`lower(description)`, 'like', pattern)]),
    );
  }
  const orderby = input.orderby ?? 'created_at';
  const direction = input.asc ? 'asc' : 'desc';
  const extra = defaultMatches ? 1 : 0;
  const offset = Math.max(0, page.offset - extra);
  const limit = page.limit - (defaultMatches && page.offset === 0 ? 1 : 0);
  const [rows, count] = await Promise.all([
    limit > 0
      ? base
          .selectAll()
          .orderBy(orderby, direction)
          .orderBy('template_id', direction)
          .offset(offset)
          .limit(limit)
          .execute()
      : Promise.resolve([]),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const total = Number(count.n) + extra;
  const items = [
    ...(defaultMatches && page.offset === 0 ? [toInfo(defaultRow(actor.accountId))] : []),
    ...(rows as TemplateRow[]).map(toInfo),
  ];
  return { total, has_next_page: page.offset + items.length < total, items };
}
