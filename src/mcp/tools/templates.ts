import Type from 'typebox';
import { TEMPLATE_CHANNELS } from '../../notifications/default-template.ts';
import { sampleIncident, templateData } from '../../notifications/template-data.ts';
import { TEMPLATE_FUNCTION_NAMES } from '../../notifications/template-engine.ts';
import { call, csvObjectIds, defineTool } from '../tool.ts';

/* The templates toolset: Flashduty's four tools over /template/*, with Vigil's template engine. */

/** Flashduty's preset template id, which Vigil's default template keeps. */
const PRESET_TEMPLATE_ID = '000000000000000000000001';
const Channel = Type.Enum([...TEMPLATE_CHANNELS], { description: 'The notification channel.' });

/** The longest rendered message each channel carries (Flashduty's limits; 0: none). */
const SIZE_LIMITS: Record<string, number> = {
  dingtalk: 4000,
  feishu: 4000,
  wecom: 4000,
  slack: 15000,
  slack_app: 15000,
  telegram: 4096,
  teams_app: 28000,
};

const getPresetTemplate = defineTool({
  name: 'get_preset_template',
  toolset: 'templates',
  title: 'Get preset template',
  description: "The default notification template's code for a channel: the starting point for a custom one.",
  write: false,
  input: Type.Object({ channel: Channel }),
  async run(context, input) {
    const template = await call<Record<string, string>>(context, '/template/info', {
      template_id: PRESET_TEMPLATE_ID,
    });
    return {
      channel: input.channel,
      field_name: input.channel,
      template_code: template[input.channel] ?? '',
    };
  },
});

const validateTemplate = defineTool({
  name: 'validate_template',
  toolset: 'templates',
  title: 'Validate template',
  description:
    'Parse and render a template with sample data, or with a real incident (incident_id): the preview, ' +
    'errors (with line and column) and whether it fits the channel.',
  write: false,
  input: Type.Object({
    channel: Channel,
    template_code: Type.String({ maxLength: 65_536 }),
    incident_id: Type.Optional(
      Type.String({ description: 'Preview with this incident instead of sample data.' }),
    ),
  }),
  async run(context, input) {
    const incident =
      input.incident_id === undefined ? undefined : csvObjectIds('incident_id', input.incident_id)[0];
    const out = await call<{ content: string; success: boolean; message: string }>(
      context,
      '/template/preview',
      {
        content: input.template_code,
        type: input.channel,
        incident_id: incident,
      },
    );
    const limit = SIZE_LIMITS[input.channel] ?? 0;
    const size = Buffer.byteLength(out.content);
    const warnings =
      limit > 0 && size > limit ? [`rendered ${size} bytes; ${input.channel} carries ${limit}`] : [];
    return {
      valid: out.success,
      errors: out.success ? [] : [out.message],
      warnings,
      rendered_preview: out.content,
      rendered_size: size,
      size_limit: limit,
    };
  },
});

const listTemplateVariables = defineTool({
  name: 'list_template_variables',
  toolset: 'templates',
  title: 'List template variables',
  description: 'The variables a notification template can use (e.g. {{.Title}}), each with a sample value.',
  write: false,
  input: Type.Object({}),
  async run(context) {
    const sample = templateData(sampleIncident('https://vigil.example.com', context.now()), {
      now: context.now(),
    });
    return {
      items: Object.entries(sample).map(([name, value]) => ({
        name,
        usage: `{{.${name}}}`,
        type: Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value,
        example: value,
      })),
    };
  },
});

const listTemplateFunctions = defineTool({
  name: 'list_template_functions',
  toolset: 'templates',
  title: 'List template functions',
  description:
    "The functions Vigil's template engine supports (Go text/template builtins and the sprig ones in use). " +
    'Anything else is refused when a template is saved.',
  write: false,
  input: Type.Object({}),
  async run() {
    return {
      items: TEMPLATE_FUNCTION_NAMES.map((name) => ({ name })),
      syntax: 'Go text/template: {{if}}/{{else}}/{{end}}, {{range}}, {{with}}, pipes |, $variables.',
    };
  },
});

export const TEMPLATE_TOOLS = [
  getPresetTemplate,
  validateTemplate,
  listTemplateVariables,
  listTemplateFunctions,
];
