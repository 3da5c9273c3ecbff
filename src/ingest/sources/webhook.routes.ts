import Type from 'typebox';
import { type Api, openApi } from '../../http/route.ts';
import { normalizeWebhookPayload } from './webhook.ts';
import { compileMapping } from './webhook-mapping.ts';

const PreviewRequest = Type.Object({
  /** A generic webhook integration's settings (its mapping), as /datasource/upsert takes them. */
  settings: Type.Record(Type.String(), Type.Unknown()),
  /** A payload as the sender would post it. */
  payload: Type.Unknown(),
});

const PreviewResponse = Type.Object({
  alert: Type.Object({
    alert_key: Type.String(),
    title: Type.String(),
    description: Type.String(),
    event_status: Type.String(),
    event_time: Type.Integer(),
    labels: Type.Record(Type.String(), Type.String()),
  }),
  warnings: Type.Array(Type.String()),
});

/**
 * `POST /datasource/webhook/preview` (a Vigil extension; docs/sources.md "Generic webhook"): the
 * alert a generic webhook mapping makes of a pasted payload, without storing anything — the
 * console's live preview. Errors are the push's own: a bad mapping or a payload it cannot map.
 */
export function registerWebhookPreviewRoute(app: Api, nowSeconds: () => number): void {
  openApi(
    app,
    '/datasource/webhook/preview',
    {
      tag: 'Integrations',
      summary: 'Preview the alert a generic webhook mapping makes of a payload',
      permission: 'integrations.read',
      input: PreviewRequest,
      data: PreviewResponse,
    },
    async ({ input }) => {
      const { mapping } = compileMapping(input.settings);
      const { event, warnings } = normalizeWebhookPayload(input.payload, mapping, {
        integrationId: 0,
        integrationType: 'alert.webhook',
        integrationName: 'preview',
        nowSeconds: nowSeconds(),
      });
      return {
        alert: {
          alert_key: event.alertKeyDerived ? '' : event.alertKey,
          title: event.title,
          description: event.description,
          event_status: event.status,
          event_time: event.eventTime,
          labels: event.labels,
        },
        warnings,
      };
    },
  );
}
