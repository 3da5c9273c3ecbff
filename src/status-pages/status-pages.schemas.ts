import Type, { type Static, type TSchema } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { pageFields } from '../http/pagination.ts';
import { HTTP_URL_PATTERN } from './links.ts';
import { COMPONENT_STATUSES, EVENT_STATUSES } from './timeline.ts';

/*
 * Request and response schemas of the status-page API. The event (change) and subscriber operations
 * follow on-call.openapi.en.json; pages, sections, components and the active list, which no OpenAPI
 * document has, follow Flashduty's CLI reference (flashduty-api.md §2.7). Limits Flashduty does not
 * state are Vigil's: docs/status-pages.md.
 */

/** Limits of the free-text fields. */
const LIMITS = {
  name: 255,
  description: 1_000,
  markdown: 20_000,
  headerFooter: 10_000,
  url: 2_048,
  items: 100,
  links: 20,
  subscribers: 1_000,
} as const;

/** Sent absent or null: keep the stored value (Flashduty's "omit or pass null"). */
const Keep = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

const Name = Type.String({ minLength: 1, maxLength: LIMITS.name });
const PageType = Type.Enum(['public', 'internal']);
const DateView = Type.Enum(['calendar', 'list']);
const UptimeMode = Type.Enum(['chart_and_percentage', 'chart', 'none']);
const TemplatePreference = Type.Enum(['', 'pre_defined', 'message']);
/** Letters, digits, '-' and '_': the slug of /status/<url_name>. */
const UrlName = Type.String({ minLength: 1, maxLength: LIMITS.name, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' });
const Text = (maxLength: number) => Type.String({ maxLength });
const Ulid = Type.String({ minLength: 1, maxLength: 64 });

/** A link or image of the page: an http(s) URL (or '' for none where the field is optional). */
const PageUrl = (maxLength: number) => Type.String({ maxLength, pattern: `^$|${HTTP_URL_PATTERN}` });

/** '#rrggbb', or '' for Vigil's default. */
const HexColor = Type.String({ maxLength: 7, pattern: '^$|^#[0-9A-Fa-f]{6}$' });
/** An IANA zone name; the service checks that Intl knows it. */
const TimeZone = Type.String({ minLength: 1, maxLength: 64 });

const CustomLink = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  url: Type.String({ minLength: 1, maxLength: LIMITS.url }),
});
const CustomLinkInput = Type.Object({
  name: CustomLink.properties.name,
  url: Type.String({ minLength: 1, maxLength: LIMITS.url, pattern: HTTP_URL_PATTERN }),
});
const Subscription = Type.Object({
  email: Type.Optional(Type.Boolean()),
  im: Type.Optional(Type.Boolean()),
  webhook: Type.Optional(Type.Boolean()),
});

/** The settable fields of a page, shared by create (where some are required) and update. */
const pageSettings = {
  custom_domain: Text(LIMITS.name),
  page_title: Text(LIMITS.name),
  page_header: Text(LIMITS.headerFooter),
  page_footer: Text(LIMITS.headerFooter),
  contact_info: Text(1_024),
  logo: PageUrl(LIMITS.url),
  dark_logo: PageUrl(LIMITS.url),
  favicon: PageUrl(LIMITS.url),
  logo_url: PageUrl(LIMITS.name),
  template_preference: TemplatePreference,
  custom_links: Type.Array(CustomLinkInput, { maxItems: LIMITS.links }),
  subscription: Subscription,
  time_zone: TimeZone,
  brand_color: HexColor,
  header_color: HexColor,
};

export const PageCreateRequest = Type.Object({
  name: Name,
  url_name: UrlName,
  type: PageType,
  date_view: DateView,
  display_uptime_mode: UptimeMode,
  custom_domain: Type.Optional(pageSettings.custom_domain),
  page_title: Type.Optional(pageSettings.page_title),
  page_header: Type.Optional(pageSettings.page_header),
  page_footer: Type.Optional(pageSettings.page_footer),
  contact_info: Type.Optional(pageSettings.contact_info),
  logo: Type.Optional(pageSettings.logo),
  dark_logo: Type.Optional(pageSettings.dark_logo),
  favicon: Type.Optional(pageSettings.favicon),
  logo_url: Type.Optional(pageSettings.logo_url),
  template_preference: Type.Optional(pageSettings.template_preference),
  custom_links: Type.Optional(pageSettings.custom_links),
  subscription: Type.Optional(pageSettings.subscription),
  time_zone: Type.Optional(pageSettings.time_zone),
  brand_color: Type.Optional(pageSettings.brand_color),
  header_color: Type.Optional(pageSettings.header_color),
});
export type PageCreateRequest = Static<typeof PageCreateRequest>;

export const PageCreateResponse = Type.Object({
  page_id: Id,
  page_name: Type.String(),
  page_url_name: Type.String(),
});

export const PageUpdateRequest = Type.Object({
  page_id: Id,
  name: Keep(Name),
  url_name: Keep(UrlName),
  date_view: Keep(DateView),
  display_uptime_mode: Keep(UptimeMode),
  custom_domain: Keep(pageSettings.custom_domain),
  page_title: Keep(pageSettings.page_title),
  page_header: Keep(pageSettings.page_header),
  page_footer: Keep(pageSettings.page_footer),
  contact_info: Keep(pageSettings.contact_info),
  logo: Keep(pageSettings.logo),
  dark_logo: Keep(pageSettings.dark_logo),
  favicon: Keep(pageSettings.favicon),
  logo_url: Keep(pageSettings.logo_url),
  template_preference: Keep(pageSettings.template_preference),
  custom_links: Keep(pageSettings.custom_links),
  subscription: Keep(pageSettings.subscription),
  time_zone: Keep(pageSettings.time_zone),
  brand_color: Keep(pageSettings.brand_color),
  header_color: Keep(pageSettings.header_color),
});
export type PageUpdateRequest = Static<typeof PageUpdateRequest>;

export const PageSelector = Type.Object({ page_id: Id });

export const SectionItem = Type.Object({
  section_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  order_id: Type.Integer(),
  hide_uptime: Type.Boolean(),
  hide_all: Type.Boolean(),
});

export const ComponentItem = Type.Object({
  component_id: Type.String(),
  section_id: Type.Optional(Type.String()),
  name: Type.String(),
  description: Type.String(),
  available_since_seconds: Type.Integer(),
  order_id: Type.Integer(),
  hide_uptime: Type.Boolean(),
  hide_all: Type.Boolean(),
});

/** A component on a page: Vigil adds its current status (the worst among the events in effect on it). */
const PageComponentItem = Type.Object({
  ...ComponentItem.properties,
  status: Type.Enum([...COMPONENT_STATUSES]),
});

export const PageItem = Type.Object({
  page_id: Id,
  name: Type.String(),
  url_name: Type.String(),
  type: PageType,
  date_view: DateView,
  display_uptime_mode: UptimeMode,
  custom_domain: Type.String(),
  page_title: Type.String(),
  page_header: Type.String(),
  page_footer: Type.String(),
  contact_info: Type.String(),
  logo: Type.String(),
  dark_logo: Type.String(),
  favicon: Type.String(),
  logo_url: Type.String(),
  template_preference: Type.String(),
  custom_links: Type.Array(CustomLink),
  subscription: Subscription,
  /** Vigil: the zone the public page shows times in, and its colours ('' = default). */
  time_zone: Type.String(),
  brand_color: Type.String(),
  header_color: Type.String(),
  components: Type.Array(PageComponentItem),
  sections: Type.Array(SectionItem),
  /** Vigil: where the page is served. */
  public_url: Type.String(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const PageListResponse = Type.Object({ items: Type.Array(PageItem) });

const Order = Type.Integer({ minimum: 0, maximum: 1_000_000 });

export const SectionUpsertRequest = Type.Object({
  page_id: Id,
  sections: Type.Array(
    Type.Object({
      section_id: Type.Optional(Ulid),
      name: Name,
      description: Type.Optional(Text(LIMITS.description)),
      order_id: Type.Optional(Order),
      hide_uptime: Type.Optional(Type.Boolean()),
      hide_all: Type.Optional(Type.Boolean()),
    }),
    { minItems: 1, maxItems: LIMITS.items },
  ),
});
export type SectionUpsertRequest = Static<typeof SectionUpsertRequest>;

export const SectionUpsertResponse = Type.Object({ section_ids: Type.Array(Type.String()) });

export const SectionDeleteRequest = Type.Object({
  page_id: Id,
  section_ids: Type.Array(Ulid, { minItems: 1, maxItems: LIMITS.items }),
});

export const ComponentUpsertRequest = Type.Object({
  page_id: Id,
  components: Type.Array(
    Type.Object({
      component_id: Type.Optional(Ulid),
      name: Name,
      description: Type.Optional(Text(LIMITS.description)),
      /** '' takes the component out of its section. */
      section_id: Type.Optional(Type.String({ maxLength: 64 })),
      order_id: Type.Optional(Order),
      hide_uptime: Type.Optional(Type.Boolean()),
      hide_all: Type.Optional(Type.Boolean()),
    }),
    { minItems: 1, maxItems: LIMITS.items },
  ),
});
export type ComponentUpsertRequest = Static<typeof ComponentUpsertRequest>;

export const ComponentUpsertResponse = Type.Object({ component_ids: Type.Array(Type.String()) });

export const ComponentDeleteRequest = Type.Object({
  page_id: Id,
  component_ids: Type.Array(Ulid, { minItems: 1, maxItems: LIMITS.items }),
});

// ----- events (changes) -----

const ChangeType = Type.Enum(['incident', 'maintenance']);
const EventStatus = Type.Enum([...EVENT_STATUSES]);
const ComponentStatus = Type.Enum([...COMPONENT_STATUSES]);
const Seconds = Type.Integer({ minimum: 0 });
const Markdown = Type.String({ minLength: 1, maxLength: LIMITS.markdown });

const ComponentChangeInput = Type.Object({ component_id: Ulid, status: ComponentStatus });
const ComponentChanges = Type.Array(ComponentChangeInput, { maxItems: LIMITS.items });
const Responders = Type.Array(Id, { maxItems: LIMITS.items });
const LinkedChanges = Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.name }), {
  maxItems: LIMITS.items,
});

export const ChangeCreateRequest = Type.Object({
  page_id: Id,
  type: ChangeType,
  title: Name,
  /** Optional in the OpenAPI schema, "required by the validator": Vigil requires it too. */
  description: Markdown,
  status: EventStatus,
  start_at_seconds: Type.Optional(Seconds),
  close_at_seconds: Type.Optional(Seconds),
  responders: Type.Optional(Responders),
  linked_changes: Type.Optional(LinkedChanges),
  updates: Type.Array(
    Type.Object({
      /** Accepted and ignored: Vigil assigns update ids. */
      update_id: Type.Optional(Type.String({ maxLength: 64 })),
      at_seconds: Type.Optional(Seconds),
      status: Type.Optional(EventStatus),
      description: Type.Optional(Type.String({ maxLength: LIMITS.markdown })),
      component_changes: Type.Optional(ComponentChanges),
    }),
    { minItems: 1, maxItems: LIMITS.items },
  ),
  notify_subscribers: Type.Optional(Type.Boolean()),
  auto_update_by_schedule: Type.Optional(Type.Boolean()),
  is_retrospective: Type.Optional(Type.Boolean()),
});
export type ChangeCreateRequest = Static<typeof ChangeCreateRequest>;

export const ChangeCreateResponse = Type.Object({ change_id: Id, change_name: Type.String() });

/** Vigil: publish an incident of the on-call side as a status-page incident (linked to it). */
export const ChangeFromIncidentRequest = Type.Object({
  page_id: Id,
  incident_id: Type.String({ pattern: '^[0-9a-fA-F]{24}$' }),
  component_changes: Type.Array(ComponentChangeInput, { minItems: 1, maxItems: LIMITS.items }),
  /** Default: the incident's title (cut to 255 characters). */
  title: Type.Optional(Name),
  /** Default: the incident's description, or a sentence saying it is being investigated. */
  description: Type.Optional(Markdown),
  status: Type.Optional(Type.Enum(['investigating', 'identified', 'monitoring'])),
  notify_subscribers: Type.Optional(Type.Boolean()),
});
export type ChangeFromIncidentRequest = Static<typeof ChangeFromIncidentRequest>;

export const ChangeUpdateRequest = Type.Object({
  page_id: Id,
  change_id: Id,
  title: Type.Optional(Name),
  responders: Type.Optional(Responders),
  linked_changes: Type.Optional(LinkedChanges),
});
export type ChangeUpdateRequest = Static<typeof ChangeUpdateRequest>;

export const ChangeSelector = Type.Object({ page_id: Id, change_id: Id });

export const ChangeListRequest = Type.Object({
  page_id: Id,
  type: ChangeType,
  status: EventStatus,
  start_at_seconds: Type.Optional(Seconds),
  end_at_seconds: Type.Optional(Seconds),
});

export const ActiveChangeListRequest = Type.Object({ page_id: Id, type: ChangeType });

export const TimelineCreateRequest = Type.Object({
  page_id: Id,
  change_id: Id,
  status: EventStatus,
  description: Markdown,
  at_seconds: Type.Optional(Seconds),
  component_changes: Type.Optional(ComponentChanges),
});
export type TimelineCreateRequest = Static<typeof TimelineCreateRequest>;

export const TimelineCreateResponse = Type.Object({ update_id: Type.String() });

export const TimelineUpdateRequest = Type.Object({
  page_id: Id,
  change_id: Id,
  update_id: Ulid,
  at_seconds: Type.Optional(Seconds),
  description: Type.Optional(Markdown),
});
export type TimelineUpdateRequest = Static<typeof TimelineUpdateRequest>;

export const TimelineDeleteRequest = Type.Object({ page_id: Id, change_id: Id, update_id: Ulid });

const AffectedComponent = Type.Object({
  ...ComponentItem.properties,
  status: ComponentStatus,
});

export const ChangeItem = Type.Object({
  change_id: Id,
  page_id: Id,
  type: ChangeType,
  title: Type.String(),
  description: Type.String(),
  status: EventStatus,
  affected_components: Type.Array(AffectedComponent),
  responder_ids: Type.Array(Id),
  linked_change_ids: Type.Array(Type.String()),
  start_at_seconds: Type.Integer(),
  close_at_seconds: Type.Integer(),
  is_retrospective: Type.Boolean(),
  updates: Type.Array(
    Type.Object({
      update_id: Type.String(),
      at_seconds: Type.Integer(),
      status: Type.Optional(EventStatus),
      description: Type.String(),
      component_changes: Type.Array(
        Type.Object({ component_id: Type.String(), component_name: Type.String(), status: ComponentStatus }),
      ),
    }),
  ),
  notify_subscribers: Type.Boolean(),
  auto_update_by_schedule: Type.Boolean(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  /** The updates again, as Flashduty's Go SDK reads them (docs/conformance.md). */
  timelines: Type.Array(
    Type.Object({
      timeline_id: Id,
      at: Type.Integer(),
      status: Type.Optional(EventStatus),
      description: Type.String(),
    }),
  ),
});
export type ChangeItem = Static<typeof ChangeItem>;

/** `total` is not documented; Flashduty's Go SDK reads it. */
export const ChangeListResponse = Type.Object({ items: Type.Array(ChangeItem), total: Type.Integer() });

// ----- subscribers -----

const Method = Type.Enum(['email', 'im', 'webhook']);

export const SubscriberListRequest = Type.Object({
  page_id: Id,
  /** Comma-separated component ids: subscribers who receive notifications about any of them. */
  component_ids: Type.Optional(Type.String({ maxLength: 10_000 })),
  /** Vigil: the documented list holds e-mail and IM subscribers; `webhook` lists those instead. */
  method: Type.Optional(Method),
  ...pageFields(10),
});

const SubscriberItem = Type.Object({
  recipient: Type.String(),
  method: Method,
  components: Type.Array(ComponentItem),
  all: Type.Boolean(),
  locale: Type.String(),
  /** Vigil: `pending` until an e-mail subscriber confirms. */
  status: Type.Enum(['pending', 'active']),
  created_at: Type.Integer(),
});

export const SubscriberListResponse = Type.Object({
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  items: Type.Array(SubscriberItem),
});

export const SubscriberImportRequest = Type.Object({
  page_id: Id,
  method: Method,
  subscribers: Type.Optional(
    Type.Array(
      Type.Object({
        recipient: Type.String({ minLength: 1, maxLength: LIMITS.name }),
        component_ids: Type.Optional(Type.Array(Ulid, { maxItems: LIMITS.items })),
        change_ids: Type.Optional(Type.Array(Id, { maxItems: LIMITS.items })),
        all: Type.Optional(Type.Boolean()),
        locale: Type.Optional(Type.Enum(['en-US', 'zh-CN'])),
      }),
      { maxItems: LIMITS.subscribers },
    ),
  ),
});
export type SubscriberImportRequest = Static<typeof SubscriberImportRequest>;

/** Vigil: removes subscribers of a page by method and recipient (Flashduty documents no removal). */
export const SubscriberDeleteRequest = Type.Object({
  page_id: Id,
  method: Method,
  recipients: Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.name }), {
    minItems: 1,
    maxItems: LIMITS.items,
  }),
});
export type SubscriberDeleteRequest = Static<typeof SubscriberDeleteRequest>;

export const SubscriberDeleteResponse = Type.Object({ deleted: Type.Integer() });

export const SubscriberExportRequest = Type.Object({
  page_id: Id,
  component_ids: Type.Optional(Type.Array(Ulid, { maxItems: LIMITS.items })),
});

// ----- event templates (CLI reference only: flashduty-api.md §2.7) -----

const TemplateType = Type.Enum(['pre_defined', 'message']);

export const TemplateUpsertRequest = Type.Object({
  page_id: Id,
  type: TemplateType,
  template: Type.Object({
    template_id: Type.Optional(Ulid),
    event_type: ChangeType,
    status: EventStatus,
    title: Type.Optional(Text(LIMITS.name)),
    description: Markdown,
  }),
});
export type TemplateUpsertRequest = Static<typeof TemplateUpsertRequest>;

export const TemplateUpsertResponse = Type.Object({ template_id: Type.String() });

export const TemplateListRequest = Type.Object({
  page_id: Id,
  type: Type.Optional(TemplateType),
  event_type: Type.Optional(ChangeType),
});

const TemplateItem = Type.Object({
  template_id: Type.String(),
  page_id: Type.Integer(),
  type: Type.String(),
  event_type: Type.String(),
  status: Type.String(),
  title: Type.String(),
  description: Type.String(),
  creator_id: Type.Integer(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export const TemplateListResponse = Type.Object({ items: Type.Array(TemplateItem) });

export const TemplateDeleteRequest = Type.Object({ page_id: Id, template_id: Ulid });
