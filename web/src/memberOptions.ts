import { api } from './api.ts';

type MemberItem = { member_id: number; member_name: string; email: string; status: string };

/** The account's members as options; a name shared by two members carries the e-mail. */
export async function memberOptions(): Promise<{ value: string; label: string }[]> {
  const page = await api.post<{ items: MemberItem[] }>('/member/list', { limit: 100, asc: true });
  const live = page.items.filter((m) => m.status !== 'deleted');
  const count = new Map<string, number>();
  for (const m of live) count.set(m.member_name, (count.get(m.member_name) ?? 0) + 1);
  return live
    .map((m) => ({
      value: String(m.member_id),
      label: (count.get(m.member_name) ?? 0) > 1 ? `${m.member_name} (${m.email})` : m.member_name,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
