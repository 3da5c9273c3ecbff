/*
 * The post-mortem templates Vigil ships (account 0, as Flashduty marks its built-in ones). A
 * template is Markdown; each {{placeholder}} on a line of its own is replaced, when a post-mortem
 * is created, by what Vigil knows of its incidents (prefill.ts).
 */

export type PostMortemTemplate = {
  templateId: string;
  name: string;
  description: string;
  markdown: string;
};

export const PLACEHOLDERS = ['incidents', 'summary', 'responders', 'timeline', 'changes'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const STANDARD = `## Summary

{{summary}}

## Incidents

{{incidents}}

## Impact

_Who and what was affected, and for how long._

## Root cause

_What caused it, and why it was not caught earlier._

## Resolution

_What ended it._

## Timeline

{{timeline}}

## Responders

{{responders}}

## Related changes

{{changes}}

## What went well

## What could be improved

## Lessons learned
`;

const BRIEF = `## Summary

{{summary}}

{{incidents}}

## Root cause

## Resolution

## Timeline

{{timeline}}
`;

/** Built-in templates have no time of their own; they were there when the account was made. */
export const TEMPLATES: readonly PostMortemTemplate[] = [
  {
    templateId: 'standard',
    name: 'Standard post-mortem',
    description:
      'Summary, impact, root cause, resolution, timeline, responders, related changes and lessons.',
    markdown: STANDARD,
  },
  {
    templateId: 'brief',
    name: 'Brief post-mortem',
    description: 'Summary, root cause, resolution and the timeline, for small incidents.',
    markdown: BRIEF,
  },
];

export const DEFAULT_TEMPLATE_ID = 'standard';

export function findTemplate(templateId: string): PostMortemTemplate | undefined {
  return TEMPLATES.find((template) => template.templateId === templateId);
}
