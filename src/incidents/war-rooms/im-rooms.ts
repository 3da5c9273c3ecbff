import type { Dispatcher } from 'undici';

/*
 * What a war room needs from an IM (docs/war-rooms.md), whatever the provider: open a group chat
 * for an incident, invite people by e-mail, post in it, read it back, close it, link to it. Slack
 * (slack.ts) and Feishu/Lark (feishu.ts) implement it against their own Web APIs.
 */

/** Where a provider's Web API is and how calls reach it (through the outbound guard). */
export type ImApiClient = { apiUrl: string; dispatcher: Dispatcher; timeoutMs: number };

export type ImRoom = { id: string; name: string };

export type ImRooms = {
  /** Opens a new group chat for the incident. */
  open(incident: { incident_id: string; title: string }): Promise<ImRoom>;
  /** Invites the people the IM knows by these e-mails; the others are left out. */
  invite(chatId: string, emails: string[]): Promise<void>;
  post(chatId: string, text: string): Promise<void>;
  /** The chat as the IM has it now; undefined once it is gone, archived or disbanded. */
  find(chatId: string): Promise<ImRoom | undefined>;
  /** Archives or disbands the chat; already gone counts as done. */
  close(chatId: string): Promise<void>;
  /** A link that opens the chat in the IM's client. */
  link(chatId: string): string;
};
