-- Insight rollups per local day (docs/insights.md, "How the numbers are kept"): the facts of
-- never-muted incidents (and incident × responder rows) summed per local day of the account's time
-- zone and hour band of the trigger time. A band is the part of the day an hour class is read from:
-- 0 sleep (00:00–08:00 and 23:00–24:00), 1 day (08:00–19:00: work, or off on a day off), 2 evening
-- (19:00–23:00: off). `day` counts local dates from 1970-01-01. Kept with the facts by
-- src/insights/rollups.store.ts; a year of a channel is at most 1,098 rows.

create table insight_incident_daily (
  account_id          bigint   not null,
  day                 integer  not null,
  band                smallint not null,
  channel_id          bigint   not null,
  incidents           bigint   not null,
  acknowledged        bigint   not null,
  closed              bigint   not null,
  auto_closed         bigint   not null,
  manually_closed     bigint   not null,
  timeout_closed      bigint   not null,
  escalated           bigint   not null,
  manually_escalated  bigint   not null,
  timeout_escalated   bigint   not null,
  reassigned          bigint   not null,
  interruptions       bigint   not null,
  notifications       bigint   not null,
  engaged             bigint   not null,
  to_ack              bigint   not null,
  to_close            bigint   not null,
  alerts              bigint   not null,
  alert_events        bigint   not null,
  primary key (account_id, day, band, channel_id)
);

-- Per person: a month of 50 responders is at most 4,650 rows (the facts hold one per incident).
create table insight_responder_daily (
  account_id          bigint   not null,
  person_id           bigint   not null,
  day                 integer  not null,
  band                smallint not null,
  incidents           bigint   not null,
  acknowledged        bigint   not null,
  reassigned          bigint   not null,
  escalated           bigint   not null,
  timeout_escalated   bigint   not null,
  manually_escalated  bigint   not null,
  interruptions       bigint   not null,
  notifications       bigint   not null,
  engaged             bigint   not null,
  to_ack              bigint   not null,
  primary key (account_id, person_id, day, band)
);

-- The zone the daily rollups are kept in; null: none yet (being built, or never). When the
-- account's time zone changes, the insight engine module rebuilds them in the new zone.
alter table insight_refresh_state add column rollup_zone text;
-- What the previous refresh saw of each incident it looked at (timeline entries in its window, the
-- change marker of open and removed incidents): an incident seen the same way is not derived again.
alter table insight_refresh_state add column seen jsonb not null default '{}';
