import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { AppDeps } from '../../http/app.ts';
import { type Api, Empty, openApi } from '../../http/route.ts';
import { notFound } from '../../shared/app-error.ts';
import * as S from './post-mortems.schemas.ts';
import {
  deletePostMortem,
  editPostMortem,
  exportPostMortem,
  initPostMortem,
  listPostMortems,
  postMortemInfo,
} from './post-mortems.service.ts';
import { findTemplate, TEMPLATES } from './templates.ts';

/**
 * Post-mortems (docs/post-mortems.md): reading needs Incidents Read, writing Incidents Manage, as
 * the documents name them for list/info/delete.
 */
export function registerPostMortemRoutes(app: Api, deps: AppDeps): void {
  const Read = { tag: 'Post-mortems', permission: 'incidents.read' } as const;
  const Manage = { tag: 'Post-mortems', permission: 'incidents.manage' } as const;
  const done = async (work: Promise<void>) => {
    await work;
    return {};
  };

  openApi(
    app,
    '/incident/post-mortem/list',
    { ...Read, summary: 'List post-mortems', input: S.PostMortemListRequest, data: S.PostMortemListResponse },
    ({ actor, input }) => listPostMortems(deps, actor, input),
  );
  openApi(
    app,
    '/incident/post-mortem/info',
    {
      ...Read,
      method: 'GET',
      summary: 'Get a post-mortem',
      input: S.PostMortemIdRequest,
      data: S.PostMortemItem,
    },
    ({ actor, input }) => postMortemInfo(deps, actor, input.post_mortem_id),
  );
  openApi(
    app,
    '/incident/post-mortem/init',
    {
      ...Manage,
      summary: 'Create a post-mortem for one or more incidents, prefilled from a template',
      input: S.PostMortemInitRequest,
      data: S.PostMortemItem,
    },
    ({ actor, input }) => initPostMortem(deps, actor, input),
  );
  openApi(
    app,
    '/incident/post-mortem/title/reset',
    { ...Manage, summary: "Change a post-mortem's title", input: S.TitleResetRequest, data: Empty },
    ({ actor, input }) => done(editPostMortem(deps, actor, input.post_mortem_id, { title: input.title })),
  );
  openApi(
    app,
    '/incident/post-mortem/content/reset',
    {
      ...Manage,
      summary: "Replace a post-mortem's Markdown body",
      input: S.ContentResetRequest,
      data: Empty,
    },
    ({ actor, input }) => done(editPostMortem(deps, actor, input.post_mortem_id, { content: input.content })),
  );
  openApi(
    app,
    '/incident/post-mortem/follow-ups/reset',
    { ...Manage, summary: "Replace a post-mortem's follow-ups", input: S.FollowUpsResetRequest, data: Empty },
    ({ actor, input }) =>
      done(editPostMortem(deps, actor, input.post_mortem_id, { follow_ups: input.follow_ups ?? '' })),
  );
  openApi(
    app,
    '/incident/post-mortem/status/reset',
    {
      ...Manage,
      summary: 'Publish a post-mortem or return it to drafting',
      input: S.StatusResetRequest,
      data: Empty,
    },
    ({ actor, input }) => done(editPostMortem(deps, actor, input.post_mortem_id, { status: input.status })),
  );
  openApi(
    app,
    '/incident/post-mortem/delete',
    { ...Manage, summary: 'Delete a post-mortem', input: S.PostMortemIdRequest, data: Empty },
    ({ actor, input }) => done(deletePostMortem(deps, actor, input.post_mortem_id)),
  );

  // The built-in templates (the legacy document's template calls; Vigil keeps no custom ones yet).
  const templateItem = (template: (typeof TEMPLATES)[number]) => ({
    account_id: 0,
    template_id: template.templateId,
    name: template.name,
    description: template.description,
    content: template.markdown,
    content_markdown: template.markdown,
    team_id: 0,
    created_at_seconds: 0,
    updated_at_seconds: 0,
  });
  openApi(
    app,
    '/incident/post-mortem/template/list',
    {
      ...Read,
      summary: 'List post-mortem templates',
      input: S.TemplateListRequest,
      data: S.TemplateListResponse,
    },
    async () => ({ items: TEMPLATES.map(templateItem), total: TEMPLATES.length, has_next_page: false }),
  );
  openApi(
    app,
    '/incident/post-mortem/template/info',
    {
      ...Read,
      method: 'GET',
      summary: 'Get a post-mortem template',
      input: S.TemplateInfoRequest,
      data: S.PostMortemTemplate,
    },
    async ({ input }) => {
      const template = findTemplate(input.template_id);
      if (!template) throw notFound(`template ${input.template_id}`);
      return templateItem(template);
    },
  );

  // Registered like openApi() does, but the answer is the Markdown document, not the envelope.
  (app as unknown as FastifyInstance).route({
    method: 'POST',
    url: '/incident/post-mortem/export',
    config: { appKey: { permission: Read.permission } },
    schema: {
      tags: [Read.tag],
      summary: 'Export a post-mortem as Markdown',
      description: 'Permission: incidents.read. Answers text/markdown.',
      body: S.PostMortemIdRequest,
      response: { 200: { content: { 'text/markdown': { schema: Type.String() } } } },
    },
    handler: async (request, reply: FastifyReply) => {
      const { post_mortem_id } = request.body as { post_mortem_id: string };
      const { markdown } = await exportPostMortem(deps, request.actor!, post_mortem_id);
      return reply
        .header('Content-Type', 'text/markdown; charset=utf-8')
        .header(
          'Content-Disposition',
          `attachment; filename="post-mortem-${post_mortem_id.toLowerCase()}.md"`,
        )
        .send(markdown);
    },
  });
}
