import Type from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';
import { ObjectId } from '../../alerts/alerts.schemas.ts';

/** /incident/custom-action/do as on-call.openapi.en.json documents it; list is Vigil's (docs/custom-actions.md). */

export const CustomActionDoRequest = Type.Object({ incident_id: ObjectId, integration_id: Id });

/** `message` only when the action's call failed. */
export const CustomActionDoResponse = Type.Object({ message: Type.Optional(Type.String()) });

export const CustomActionListRequest = Type.Object({ incident_id: ObjectId });

export const CustomActionListResponse = Type.Object({
  items: Type.Array(Type.Object({ integration_id: Id, integration_name: Type.String() })),
});
