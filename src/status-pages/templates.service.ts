import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newUlid } from '../shared/ids.ts';
import { pageOf, withLockedPage } from './pages.service.ts';
import type {
  TemplateListRequest,
  TemplateListResponse,
  TemplateUpsertRequest,
} from './status-pages.schemas.ts';
import { statusesOf } from './timeline.ts';

/*
 * Event templates of a page: canned text a responder starts from, for a new event (pre_defined) or
 * an update (message). Vigil stores them; the client applies one when it creates the event or the
 * update. docs/status-pages.md.
 */

type Deps = { db: Db; clock: Clock };

/** Templates a page may hold: enough for every kind of event and status, bounded all the same. */
export const MAX_TEMPLATES_PER_PAGE = 200;

export async function upsertTemplate(
  deps: Deps,
  actor: Actor,
  input: TemplateUpsertRequest,
): Promise<string> {
  const { template } = input;
  if (!statusesOf(template.event_type).includes(template.status)) {
    throw invalidParameter(
      'template.status',
      `must be one of ${statusesOf(template.event_type).join(', ')} for ${template.event_type}`,
    );
  }
  // A template for a new event needs the event's title; an update has none.
  if (input.type === 'pre_defined' && !template.title?.trim())
    throw invalidParameter('template.title', 'is required for a pre_defined template');
  const now = nowSeconds(deps.clock);
  const fields = {
    type: input.type,
    event_type: template.event_type,
    status: template.status,
    title: template.title ?? '',
    description: template.description,
    updated_at: now,
  };
  return withLockedPage(deps, actor, input.page_id, async (trx) => {
    if (template.template_id !== undefined) {
      const updated = await trx
        .updateTable('status_page_templates')
        .set(fields)
        .where('page_id', '=', input.page_id)
        .where('template_id', '=', template.template_id)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0)
        throw invalidParameter('template.template_id', 'no such template on this status page');
      return template.template_id;
    }
    const { count } = await trx
      .selectFrom('status_page_templates')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('page_id', '=', input.page_id)
      .executeTakeFirstOrThrow();
    if (Number(count) >= MAX_TEMPLATES_PER_PAGE)
      throw invalidParameter('page_id', `a status page holds at most ${MAX_TEMPLATES_PER_PAGE} templates`);
    const templateId = newUlid();
    await trx
      .insertInto('status_page_templates')
      .values({
        ...fields,
        template_id: templateId,
        page_id: input.page_id,
        account_id: actor.accountId,
        creator_id: actor.memberId,
        created_at: now,
      })
      .execute();
    return templateId;
  });
}

/** A page's templates, oldest first, optionally of one type and one event type. */
export async function listTemplates(
  q: Db['q'],
  actor: Actor,
  input: Static<typeof TemplateListRequest>,
): Promise<Static<typeof TemplateListResponse>> {
  const page = await pageOf(q, actor, input.page_id);
  let query = q.selectFrom('status_page_templates').selectAll().where('page_id', '=', page.page_id);
  if (input.type) query = query.where('type', '=', input.type);
  if (input.event_type) query = query.where('event_type', '=', input.event_type);
  const rows = await query.orderBy('created_at').orderBy('template_id').execute();
  return {
    items: rows.map(({ account_id: _account, ...row }) => row),
  };
}

export async function deleteTemplate(
  deps: Deps,
  actor: Actor,
  input: { page_id: number; template_id: string },
): Promise<void> {
  await withLockedPage(deps, actor, input.page_id, async (trx) => {
    const deleted = await trx
      .deleteFrom('status_page_templates')
      .where('page_id', '=', input.page_id)
      .where('template_id', '=', input.template_id)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw notFound(`status page template ${input.template_id}`);
  });
}
