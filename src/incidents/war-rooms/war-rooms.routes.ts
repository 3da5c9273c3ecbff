import type { AppDeps } from '../../http/app.ts';
import { type Api, openApi } from '../../http/route.ts';
import { guardedDispatcher } from '../../notifications/providers/outbound-guard.ts';
import * as S from './war-rooms.schemas.ts';
import {
  addWarRoomMembers,
  createWarRoom,
  defaultObservers,
  deleteWarRoom,
  listWarRoomIntegrations,
  listWarRooms,
  type WarRoomDeps,
  warRoomDetail,
} from './war-rooms.ts';

/** How long one call to an IM's Web API may take. */
const IM_TIMEOUT_MS = 10_000;

export function registerWarRoomRoutes(app: Api, deps: AppDeps): void {
  const dispatcher = guardedDispatcher(deps.config.outboundAllow);
  const rooms: WarRoomDeps = {
    db: deps.db,
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
    slack: { apiUrl: deps.config.slackApiUrl, dispatcher, timeoutMs: IM_TIMEOUT_MS },
    feishu: { apiUrl: deps.config.feishuApiUrl, dispatcher, timeoutMs: IM_TIMEOUT_MS },
  };
  const tag = 'Incidents';
  openApi(
    app,
    '/incident/war-room/create',
    {
      tag,
      permission: 'incidents.manage',
      summary: 'Create war room',
      input: S.CreateWarRoomRequest,
      data: S.WarRoom,
    },
    ({ actor, input }) => createWarRoom(rooms, actor, input),
  );
  openApi(
    app,
    '/incident/war-room/list',
    {
      tag,
      permission: 'incidents.read',
      summary: 'List war rooms',
      input: S.ListWarRoomsRequest,
      data: S.ListWarRoomsResponse,
    },
    ({ actor, input }) => listWarRooms(rooms, actor, input),
  );
  openApi(
    app,
    '/incident/war-room/detail',
    {
      tag,
      permission: 'incidents.read',
      summary: 'Get war room detail',
      input: S.GetWarRoomDetailRequest,
      data: S.WarRoom,
    },
    ({ actor, input }) => warRoomDetail(rooms, actor, input),
  );
  openApi(
    app,
    '/incident/war-room/delete',
    {
      tag,
      permission: 'incidents.manage',
      summary: 'Delete war room',
      input: S.DeleteWarRoomRequest,
      data: S.Empty,
    },
    ({ actor, input }) => deleteWarRoom(rooms, actor, input),
  );
  openApi(
    app,
    '/incident/war-room/add-member',
    {
      tag,
      permission: 'incidents.manage',
      summary: 'Invite members to a war room',
      input: S.AddWarRoomMembersRequest,
      data: S.Empty,
    },
    ({ actor, input }) => addWarRoomMembers(rooms, actor, input),
  );
  openApi(
    app,
    '/incident/war-room/default-observers',
    {
      tag,
      permission: 'incidents.read',
      summary: 'Who add_observers would invite',
      input: S.DefaultObserversRequest,
      data: S.DefaultObserversResponse,
    },
    ({ actor, input }) => defaultObservers(rooms, actor, input.incident_id),
  );
  openApi(
    app,
    '/datasource/im/war-room-enabled/list',
    {
      tag: 'Integrations',
      permission: 'incidents.read',
      summary: 'List IM integrations hosting war rooms',
      input: S.ListWarRoomIntegrationsRequest,
      data: S.ListWarRoomIntegrationsResponse,
    },
    ({ actor }) => listWarRoomIntegrations(rooms, actor),
  );
}
