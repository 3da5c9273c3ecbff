import { Box, Paper, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import {
  type Bar,
  colorOf,
  describeRange,
  type GridLine,
  laneCount,
  percentOf,
  type Range,
  toBars,
} from './timeline.ts';

/** A shift as /schedule/info and /schedule/preview answer it (seconds). */
export type ApiShift = {
  start: number;
  end: number;
  index: number;
  group: { group_name: string; members: { role_id: number; person_ids: number[] }[] };
};
export type CalculatedLayer = { layer_name: string; mode: number; schedules: ApiShift[] };

type Shift = Range & { people: number[]; backups: number[]; turn: number };

const toShift = (s: ApiShift): Shift => ({
  start: s.start * 1000,
  end: s.end * 1000,
  turn: s.index,
  people: s.group.members.filter((m) => m.role_id === 0).flatMap((m) => m.person_ids),
  backups: s.group.members.filter((m) => m.role_id !== 0).flatMap((m) => m.person_ids),
});

type Row = { label: string; shifts: Shift[]; final?: boolean };

const LANE = 30;

/**
 * Who is on call across a window, drawn with plain elements: one row per rotation layer, one for
 * the overrides, and the final row (what escalation uses). The drawing is hidden from screen
 * readers; the table of final shifts and a list per layer say the same in words.
 */
export function ScheduleTimeline(props: {
  layers: CalculatedLayer[];
  final: ApiShift[];
  window: Range;
  lines: GridLine[];
  zone: string;
  locale: string;
  name: (personId: number) => string;
  now: number;
}) {
  const { window, zone, locale, name } = props;
  const rotations = props.layers.filter((l) => l.mode === 0);
  const overrides = props.layers.filter((l) => l.mode === 1).flatMap((l) => l.schedules);
  const rows: Row[] = [
    ...rotations.map((l, i) => ({
      label: l.layer_name || `Layer ${i + 1}`,
      shifts: l.schedules.map(toShift),
    })),
    ...(overrides.length ? [{ label: 'Overrides', shifts: overrides.map(toShift) }] : []),
    { label: 'Final', shifts: props.final.map(toShift), final: true },
  ];
  const who = (shift: Shift) => {
    const people = shift.people.map(name).join(', ') || 'Nobody';
    return shift.backups.length ? `${people} (backup: ${shift.backups.map(name).join(', ')})` : people;
  };
  const range = (shift: Range) => describeRange(shift.start, shift.end, zone, locale);
  const nowAt =
    props.now >= window.start && props.now < window.end ? percentOf(props.now, window) : undefined;

  const track = (children: ReactNode, height: number, key?: string) => (
    <Box key={key} pos="relative" h={height} style={{ overflow: 'hidden', minWidth: 0 }}>
      {props.lines.map((line) => (
        <Box
          key={line.at}
          pos="absolute"
          top={0}
          bottom={0}
          left={`${line.percent}%`}
          w={1}
          bg={line.day ? 'var(--mantine-color-default-border)' : 'var(--mantine-color-gray-2)'}
        />
      ))}
      {children}
      {nowAt !== undefined && (
        <Box pos="absolute" top={0} bottom={0} left={`${nowAt}%`} w={2} bg="red" title="Now" />
      )}
    </Box>
  );

  const barOf = (bar: Bar<Shift>, final: boolean) => (
    <Box
      key={`${bar.item.start}-${bar.lane}-${bar.item.turn}`}
      pos="absolute"
      top={bar.lane * LANE + 3}
      h={LANE - 6}
      left={`${bar.left}%`}
      w={`${bar.width}%`}
      bg={`var(--mantine-color-${colorOf(bar.item.people)}-${final ? 9 : 1})`}
      c={final ? 'white' : 'black'}
      title={`${who(bar.item)}: ${range(bar.item)}`}
      px={4}
      style={{
        borderRadius: `${bar.cutStart ? 0 : 4}px ${bar.cutEnd ? 0 : 4}px ${bar.cutEnd ? 0 : 4}px ${bar.cutStart ? 0 : 4}px`,
        borderLeft: '1px solid var(--mantine-color-body)',
        fontSize: 12,
        lineHeight: `${LANE - 6}px`,
        whiteSpace: 'nowrap',
        overflow: 'hidden',
        textOverflow: 'ellipsis',
      }}
    >
      {who(bar.item)}
    </Box>
  );

  return (
    <>
      <Paper withBorder p="xs" aria-hidden="true" data-testid="timeline-drawing">
        <Box
          style={{ display: 'grid', gridTemplateColumns: 'minmax(56px, 110px) minmax(0, 1fr)', rowGap: 4 }}
        >
          <span />
          {track(
            props.lines.map((line, i) => {
              const next = props.lines.slice(i + 1).find((l) => l.day === line.day)?.percent ?? 100;
              return (
                <Text
                  key={line.at}
                  pos="absolute"
                  left={`${line.percent}%`}
                  w={`${next - line.percent}%`}
                  size="xs"
                  c={line.day ? undefined : 'dimmed'}
                  fw={line.day ? 600 : undefined}
                  top={line.day ? 0 : 16}
                  px={3}
                  style={{ whiteSpace: 'nowrap', overflow: 'hidden' }}
                >
                  {line.label}
                </Text>
              );
            }),
            props.lines.some((l) => !l.day) ? 34 : 20,
          )}
          {rows.map((row) => {
            const bars = toBars(row.shifts, window);
            return [
              <Text
                key={`${row.label}-label`}
                size="sm"
                fw={row.final ? 700 : 500}
                truncate
                pr={4}
                lh={`${LANE}px`}
              >
                {row.label}
              </Text>,
              track(
                bars.map((bar) => barOf(bar, row.final === true)),
                laneCount(bars) * LANE,
                `${row.label}-track`,
              ),
            ];
          })}
        </Box>
      </Paper>
      <VisuallyHidden>
        {rows
          .filter((row) => !row.final)
          .map((row) => (
            <section key={row.label} aria-label={`Shifts of ${row.label}`}>
              <ul>
                {toBars(row.shifts, window).map((bar) => (
                  <li key={`${bar.item.start}-${bar.lane}`}>
                    {range(bar.item)}: {who(bar.item)}
                  </li>
                ))}
              </ul>
            </section>
          ))}
      </VisuallyHidden>
      <Table.ScrollContainer minWidth={300}>
        <Table aria-label="On call in this window" verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>On call</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {toBars(rows.at(-1)?.shifts ?? [], window).map((bar) => (
              <Table.Tr key={bar.item.start}>
                <Table.Td>{range(bar.item)}</Table.Td>
                <Table.Td>{who(bar.item)}</Table.Td>
              </Table.Tr>
            ))}
            {(rows.at(-1)?.shifts.length ?? 0) === 0 && (
              <Table.Tr>
                <Table.Td colSpan={2}>
                  <Text size="sm" c="dimmed">
                    Nobody is on call in this window. Add a layer with people, or check its start and days.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
