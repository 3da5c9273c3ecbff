-- Insights (docs/insights.md): per-incident and per incident × responder facts, derived from the
-- incident, its timeline (feed_entries) and its notification deliveries by src/insights/facts.store.ts.
-- They are brought up to date before every insight query (refresh on read), never on the
-- ingestion path. Times are Unix seconds.

create table insight_incident_facts (
  incident_id          text    primary key,
  account_id           bigint  not null,
  channel_id           bigint  not null,
  start_time           bigint  not null,
  severity             text    not null,
  ever_muted           boolean not null,
  -- 0 when nobody's acknowledgement stands; else the earliest one that was not withdrawn.
  ack_time             bigint  not null,
  -- 0 while the incident is open.
  close_time           bigint  not null,
  -- '' while open; auto (alerts recovered), timeout (auto-resolve) or manually.
  closed_by            text    not null,
  engaged_seconds      bigint  not null,
  notifications        integer not null,
  interruptions        integer not null,
  assignments          integer not null,
  reassignments        integer not null,
  acknowledgements     integer not null,
  escalations          integer not null,
  timeout_escalations  integer not null,
  manual_escalations   integer not null,
  alert_cnt            integer not null,
  alert_event_cnt      integer not null
);
create index insight_incident_facts_time_idx on insight_incident_facts (account_id, start_time);

create table insight_responder_facts (
  incident_id          text    not null,
  person_id            bigint  not null,
  account_id           bigint  not null,
  channel_id           bigint  not null,
  start_time           bigint  not null,
  ever_muted           boolean not null,
  -- The person's first assignment, 0 when never assigned (they acknowledged on their own).
  assigned_at          bigint  not null,
  -- The person's standing acknowledgement, 0 when none.
  ack_time             bigint  not null,
  engaged_seconds      bigint  not null,
  notifications        integer not null,
  interruptions        integer not null,
  reassigned           boolean not null,
  escalated            boolean not null,
  timeout_escalated    boolean not null,
  manually_escalated   boolean not null,
  primary key (incident_id, person_id)
);
-- Covering: a responder's month is read from the index alone (index-only scan), in trigger order.
create index insight_responder_facts_person_idx on insight_responder_facts (account_id, person_id, start_time)
  include (ever_muted, channel_id, assigned_at, ack_time, engaged_seconds, notifications, interruptions,
           reassigned, escalated, timeout_escalated, manually_escalated);
create index insight_responder_facts_time_idx on insight_responder_facts (account_id, start_time);

-- The facts of incidents that were never muted, summed per UTC hour of the trigger time and channel:
-- a year of account, team or channel metrics reads these instead of every incident (whole-hour
-- time zones, filters on channels and teams only; docs/insights.md). Kept with the facts.
create table insight_incident_hourly (
  account_id          bigint  not null,
  hour                bigint  not null,
  channel_id          bigint  not null,
  incidents           bigint  not null,
  acknowledged        bigint  not null,
  closed              bigint  not null,
  auto_closed         bigint  not null,
  manually_closed     bigint  not null,
  timeout_closed      bigint  not null,
  escalated           bigint  not null,
  manually_escalated  bigint  not null,
  timeout_escalated   bigint  not null,
  reassigned          bigint  not null,
  interruptions       bigint  not null,
  notifications       bigint  not null,
  engaged             bigint  not null,
  to_ack              bigint  not null,
  to_close            bigint  not null,
  alerts              bigint  not null,
  alert_events        bigint  not null,
  primary key (account_id, hour, channel_id)
);

-- How far each account's facts are refreshed: the newest timeline entry read (milliseconds).
create table insight_refresh_state (
  account_id   bigint primary key,
  feed_ms      bigint not null,
  refreshed_at bigint not null
);

-- The account's calendar for insight hour classes (non-workdays); no row: Mon–Fri are workdays.
create table insight_settings (
  account_id bigint primary key references accounts (account_id),
  cal_id     text   not null default '',
  updated_at bigint not null
);

-- Removed incidents leave no timeline entry; this small index lets a refresh find the recent ones.
create index incidents_removed_idx on incidents (account_id, deleted_at) where deleted_at > 0;
