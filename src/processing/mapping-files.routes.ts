import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { enforceRateLimit, RateLimit } from '../http/rate-limit.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { AppError, invalidParameter } from '../shared/app-error.ts';
import * as S from './mapping.schemas.ts';
import { MAPPING_LIMITS } from './mapping.schemas.ts';
import { downloadRows, uploadRows } from './mapping-files.service.ts';

/**
 * `/enrichment/mapping/data/upload` and `/download` (docs/processing.md, "CSV files"). The upload
 * takes Flashduty's multipart form (`file`, with `schema_id` and `do_not_truncate_first` in the
 * query), a bare text/csv body, or the document's JSON form `{schema_id, file}`; the download
 * answers the CSV itself.
 */
export function registerMappingFileRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Label Enrichment';
  // Flashduty's upload limit, 20 a minute and 2 a second per account, on top of the account's own;
  // off where the operator turned account limits off.
  const limitsOn = deps.config.rateLimitAccountPerSecond > 0 || deps.config.rateLimitAccountPerMinute > 0;
  const uploadLimit = new RateLimit(
    'mapping-upload',
    limitsOn
      ? [
          { points: 2, seconds: 1 },
          { points: 20, seconds: 60 },
        ]
      : [],
    deps.redis,
  );

  (app as unknown as FastifyInstance).register(async (scope) => {
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: MAPPING_LIMITS.uploadBytes },
      (request, body: Buffer, done) => {
        readForm(request, body).then(
          (fields) => done(null, fields),
          (error: Error) => done(error, undefined),
        );
      },
    );
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'buffer', bodyLimit: MAPPING_LIMITS.uploadBytes },
      (_request, body: Buffer, done) => {
        try {
          done(null, { file: utf8(body) });
        } catch (error) {
          done(error as Error, undefined);
        }
      },
    );
    // What the body leaves out is read from the query, where Flashduty's clients put it.
    scope.addHook('preValidation', async (request) => {
      const body = request.body as Record<string, unknown>;
      const query = request.query as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
      if (body.schema_id === undefined && query.schema_id !== undefined) body.schema_id = query.schema_id;
      if (body.do_not_truncate_first === undefined && query.do_not_truncate_first !== undefined)
        body.do_not_truncate_first = flag(query.do_not_truncate_first);
    });
    scope.addHook('preHandler', (request, reply) =>
      enforceRateLimit(uploadLimit, String(request.actor!.accountId), reply),
    );
    openApi(
      scope as unknown as Api,
      '/enrichment/mapping/data/upload',
      {
        tag,
        summary: 'Load a mapping table from a CSV file (emptying it first unless do_not_truncate_first)',
        permission: 'mappings.manage',
        input: S.DataUploadRequest,
        data: Empty,
        bodyLimit: MAPPING_LIMITS.uploadBytes,
      },
      async ({ actor, input }) => {
        await uploadRows(deps, actor, input);
        return {};
      },
    );
  });

  // Registered like openApi() does, but the answer is the file rather than the JSON envelope.
  (app as unknown as FastifyInstance).route({
    method: 'POST',
    url: '/enrichment/mapping/data/download',
    config: { appKey: { permission: 'mappings.read' } },
    schema: {
      tags: [tag],
      summary: 'A mapping table as a CSV file',
      description: 'Permission: mappings.read. Answers text/csv.',
      body: S.SchemaIdRequest,
      response: { 200: { content: { 'text/csv': { schema: Type.String() } } } },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const { schema_id } = request.body as Static<typeof S.SchemaIdRequest>;
      const { schemaId, csv } = await downloadRows(deps, request.actor!, schema_id);
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="mapping-${schemaId}.csv"`)
        .send(csv);
    },
  });
}

/** `TRUE`, `true` and `1` as Flashduty's query reads them; anything else is left for the schema to refuse. */
function flag(value: unknown): unknown {
  const text = String(value).toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return value;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw invalidParameter('file', 'must be UTF-8 text');
  }
}

/** The form's one file (field `file`) and its text fields, parsed by the platform's own FormData reader. */
async function readForm(request: FastifyRequest, body: Buffer): Promise<Record<string, unknown>> {
  let form: FormData;
  try {
    form = await new Response(body, {
      headers: { 'content-type': String(request.headers['content-type']) },
    }).formData();
  } catch {
    throw new AppError('InvalidContentType', 'The request body is not a valid multipart/form-data form.');
  }
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form) {
    if (name === 'file') {
      if (typeof value === 'string') fields.file = value;
      else fields.file = utf8(new Uint8Array(await value.arrayBuffer()));
    } else if (name === 'schema_id' || name === 'do_not_truncate_first') {
      fields[name] = name === 'schema_id' ? value : flag(value);
    }
  }
  if (fields.file === undefined)
    throw invalidParameter('file', 'is required: the form field holding the CSV file');
  return fields;
}
