/*
 * Vigil's Datadog webhook payload: Flashduty's template (flashduty-docs, alert-sources/datadog.mdx)
 * plus $AGGREG_KEY, $EVENT_TITLE and $SNAPSHOT. No imports: the console shows it too.
 */

/** The payload to paste into Datadog's webhook (Integrations → Webhooks, custom payload on). */
export const DATADOG_PAYLOAD_TEMPLATE = `{
  "alert_cycle_key": "$ALERT_CYCLE_KEY",
  "aggreg_key": "$AGGREG_KEY",
  "alert_id": "$ALERT_ID",
  "alert_transition": "$ALERT_TRANSITION",
  "alert_type": "$ALERT_TYPE",
  "alert_priority": "$ALERT_PRIORITY",
  "title": "$ALERT_TITLE",
  "event_title": "$EVENT_TITLE",
  "message": "$EVENT_MSG",
  "alert_status": "$ALERT_STATUS",
  "alert_metric": "$ALERT_METRIC",
  "alert_query": "$ALERT_QUERY",
  "alert_scope": "$ALERT_SCOPE",
  "event_id": "$ID",
  "event_type": "$EVENT_TYPE",
  "date_posix": "$DATE_POSIX",
  "last_updated_posix": "$LAST_UPDATED_POSIX",
  "hostname": "$HOSTNAME",
  "link": "$LINK",
  "snapshot": "$SNAPSHOT",
  "tags": "$TAGS",
  "env": "$TAGS[env]",
  "service": "$TAGS[service]",
  "team": "$TAGS[team]",
  "region": "$TAGS[region]",
  "org_id": "$ORG_ID",
  "org_name": "$ORG_NAME"
}`;
