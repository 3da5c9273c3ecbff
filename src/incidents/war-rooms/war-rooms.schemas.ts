import Type from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';
import { ObjectId } from '../../alerts/alerts.schemas.ts';

/*
 * /incident/war-room/* as on-call.openapi.en.json documents them; add-member and default-observers
 * after openapi.legacy.zh.json (docs/war-rooms.md).
 */

const MemberIds = Type.Array(Id, { maxItems: 100 });

export const CreateWarRoomRequest = Type.Object({
  incident_id: ObjectId,
  integration_id: Id,
  member_ids: Type.Optional(MemberIds),
  add_observers: Type.Optional(Type.Boolean()),
});

/** `{}` from detail when Slack no longer has the channel, as documented. */
export const WarRoom = Type.Union([
  Type.Object({ chat_id: Type.String(), chat_name: Type.String(), share_link: Type.String() }),
  Type.Object({}, { additionalProperties: false }),
]);

export const ListWarRoomsRequest = Type.Object({ incident_id: ObjectId, integration_id: Type.Optional(Id) });

export const ListWarRoomsResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      account_id: Id,
      integration_id: Id,
      created_by: Id,
      chat_id: Type.String(),
      incident_id: Type.String(),
      status: Type.String(),
      created_at: Type.Integer(),
      plugin_type: Type.String(),
    }),
  ),
});

const ChatId = Type.String({ minLength: 1, maxLength: 64 });

export const GetWarRoomDetailRequest = Type.Object({ integration_id: Id, chat_id: ChatId });

export const DeleteWarRoomRequest = Type.Object({ incident_id: ObjectId, integration_id: Id });

export const AddWarRoomMembersRequest = Type.Object({
  integration_id: Id,
  chat_id: ChatId,
  member_ids: Type.Array(Id, { minItems: 1, maxItems: 100 }),
});

export const DefaultObserversRequest = Type.Object({ incident_id: ObjectId });

export const DefaultObserversResponse = Type.Object({
  observers: Type.Array(
    Type.Object({
      account_id: Id,
      person_id: Id,
      person_name: Type.String(),
      email: Type.String(),
      as: Type.String(),
    }),
  ),
});

export const Empty = Type.Object({});

export const ListWarRoomIntegrationsRequest = Type.Object({});

/** After the SDK's DataSourceIntegration (`data_source_id` is the integration's id). */
export const ListWarRoomIntegrationsResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      data_source_id: Id,
      integration_id: Id,
      name: Type.String(),
      plugin_type: Type.String(),
      category: Type.String(),
      settings: Type.Object({ war_room_enabled: Type.Boolean() }),
    }),
  ),
});
