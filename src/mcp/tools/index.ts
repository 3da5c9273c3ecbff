import type { Tool } from '../tool.ts';
import { ALERT_TOOLS } from './alerts.ts';
import { CHANGE_TOOLS } from './changes.ts';
import { INCIDENT_TOOLS } from './incidents.ts';
import { ONCALL_TOOLS } from './oncall.ts';
import { PEOPLE_TOOLS } from './people.ts';
import { STATUS_PAGE_TOOLS } from './status-pages.ts';
import { TEMPLATE_TOOLS } from './templates.ts';

/** Every tool, in the order they are listed. */
export const ALL_TOOLS: readonly Tool[] = [
  ...INCIDENT_TOOLS,
  ...ALERT_TOOLS,
  ...CHANGE_TOOLS,
  ...STATUS_PAGE_TOOLS,
  ...PEOPLE_TOOLS,
  ...TEMPLATE_TOOLS,
  ...ONCALL_TOOLS,
];
