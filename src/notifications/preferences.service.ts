import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import type { Severity } from '../db/schema.ts';
import { AppError, invalidParameter } from '../shared/app-error.ts';
import {
  type Capabilities,
  DEFAULT_TRIGGER_NOTIFY,
  type NotifyBy,
  type Resolution,
  resolveChannels,
  type SeverityChannels,
} from './preferences.ts';

type Executor = Db['q'];

export type PreferenceInfo = {
  person_id: number;
  trigger_notify: SeverityChannels;
  shedule_shift_notify: { personal_channels: string[] };
  status_page_notify: { im_integrations: string[] };
};

/**
 * Whose preferences a call reads or writes: the caller's own, or with `person_id` (Vigil's own) a
 * live member of the account, which needs Members Manage (an import sets the members it invites).
 */
export async function preferencePerson(db: Db, actor: Actor, personId: number | undefined): Promise<number> {
  if (personId === undefined || personId === actor.memberId) return actor.memberId;
  if (!actor.permissions.has('members.manage')) {
    throw new AppError(
      'AccessDenied',
      "Access Denied: another member's preferences need the Members Manage permission.",
    );
  }
  const member = await db.q
    .selectFrom('members')
    .select('member_id')
    .where('account_id', '=', actor.accountId)
    .where('member_id', '=', personId)
    .where('status', '!=', 'deleted')
    .executeTakeFirst();
  if (!member) throw invalidParameter('person_id', `member ${personId} does not exist`);
  return personId;
}

export async function preferenceInfo(
  q: Executor,
  accountId: number,
  personId: number,
): Promise<PreferenceInfo> {
  const row = await q
    .selectFrom('notification_preferences')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  const trigger = (row?.trigger_notify ?? DEFAULT_TRIGGER_NOTIFY) as SeverityChannels;
  return {
    person_id: personId,
    trigger_notify: {
      critical: trigger.critical ?? [],
      warning: trigger.warning ?? [],
      info: trigger.info ?? [],
    },
    // The documented response spells it "shedule".
    shedule_shift_notify: { personal_channels: row?.schedule_shift_notify.personal_channels ?? [] },
    status_page_notify: { im_integrations: row?.status_page_notify.im_integrations ?? [] },
  };
}

export async function updatePreference(
  q: Executor,
  accountId: number,
  personId: number,
  input: {
    trigger_notify: SeverityChannels;
    schedule_shift_notify?: { personal_channels: string[] } | undefined;
    status_change_notify?: { im_integrations: string[] } | undefined;
  },
  nowSeconds: number,
): Promise<void> {
  const dedupe = (list: string[]) => [...new Set(list)];
  const trigger = JSON.stringify({
    critical: dedupe(input.trigger_notify.critical),
    warning: dedupe(input.trigger_notify.warning),
    info: dedupe(input.trigger_notify.info),
  });
  const current = await preferenceInfo(q, accountId, personId);
  const shift = JSON.stringify(input.schedule_shift_notify ?? current.shedule_shift_notify);
  const statusPage = JSON.stringify(input.status_change_notify ?? current.status_page_notify);
  await q
    .insertInto('notification_preferences')
    .values({
      account_id: accountId,
      person_id: personId,
      trigger_notify: trigger,
      schedule_shift_notify: shift,
      status_page_notify: statusPage,
      updated_at: nowSeconds,
    })
    .onConflict((oc) =>
      oc.columns(['account_id', 'person_id']).doUpdateSet({
        trigger_notify: trigger,
        schedule_shift_notify: shift,
        status_page_notify: statusPage,
        updated_at: nowSeconds,
      }),
    )
    .execute();
}

/**
 * The channels to reach each of these members on for an incident of `severity` (see
 * resolveChannels); a member of another account or unknown is unreachable.
 */
export async function resolvePeople(
  q: Executor,
  accountId: number,
  personIds: readonly number[],
  severity: Severity,
  by: NotifyBy | undefined,
  capabilities: Capabilities,
): Promise<Resolution[]> {
  if (personIds.length === 0) return [];
  const ids = [...new Set(personIds)];
  const [members, preferences] = await Promise.all([
    q
      .selectFrom('members')
      .select(['member_id', 'email', 'phone', 'country_code', 'status'])
      .where('account_id', '=', accountId)
      .where('member_id', 'in', ids)
      .execute(),
    q
      .selectFrom('notification_preferences')
      .select(['person_id', 'trigger_notify'])
      .where('account_id', '=', accountId)
      .where('person_id', 'in', ids)
      .execute(),
  ]);
  const byId = new Map(members.map((m) => [m.member_id, m]));
  const prefs = new Map(preferences.map((p) => [p.person_id, p.trigger_notify as SeverityChannels]));
  return ids.map((id) => {
    const member = byId.get(id);
    return resolveChannels(
      member
        ? {
            personId: id,
            email: member.email,
            phone: member.phone,
            countryCode: member.country_code,
            status: member.status,
          }
        : { personId: id, email: '', phone: '', countryCode: '', status: 'deleted' },
      severity,
      prefs.get(id),
      by,
      capabilities,
    );
  });
}
