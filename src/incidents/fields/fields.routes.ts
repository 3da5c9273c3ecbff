import type { AppDeps } from '../../http/app.ts';
import { type Api, Empty, openApi } from '../../http/route.ts';
import * as S from './fields.schemas.ts';
import { createField, deleteField, fieldInfo, listFields, updateField } from './fields.service.ts';

/**
 * Custom field definitions: the legacy document's /field/* (Flashduty's Go SDK reads /field/list,
 * its Terraform provider manages them). Reading needs Incidents Read, changing Incidents Manage.
 */
export function registerFieldRoutes(app: Api, deps: AppDeps): void {
  const Read = { tag: 'Custom fields', permission: 'incidents.read' } as const;
  const Manage = { tag: 'Custom fields', permission: 'incidents.manage' } as const;

  openApi(
    app,
    '/field/list',
    { ...Read, summary: 'List custom fields', input: Empty, data: S.FieldListResponse },
    ({ actor }) => listFields(deps, actor),
  );
  openApi(
    app,
    '/field/info',
    { ...Read, summary: 'Get a custom field', input: S.FieldIdRequest, data: S.FieldItem },
    ({ actor, input }) => fieldInfo(deps, actor, input.field_id),
  );
  openApi(
    app,
    '/field/create',
    { ...Manage, summary: 'Create a custom field', input: S.FieldCreateRequest, data: S.FieldCreated },
    ({ actor, input }) => createField(deps, actor, input),
  );
  openApi(
    app,
    '/field/update',
    { ...Manage, summary: 'Update a custom field', input: S.FieldUpdateRequest, data: Empty },
    async ({ actor, input }) => {
      await updateField(deps, actor, input);
      return {};
    },
  );
  openApi(
    app,
    '/field/delete',
    { ...Manage, summary: 'Delete a custom field', input: S.FieldIdRequest, data: Empty },
    async ({ actor, input }) => {
      await deleteField(deps, actor, input.field_id);
      return {};
    },
  );
}
