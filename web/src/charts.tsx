import { Button, Card, Group, Table, Text, Title } from '@mantine/core';
import { type ReactNode, useId, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { durationUnit, formatSeconds, type HourLoad, type TimePoint } from './insights.ts';

/*
 * The insights charts, on recharts (docs/console.md, "Insights"). Only the insights page imports
 * this file, so recharts loads with that page and not with the console's first load. Every chart
 * is an SVG with role "img", a <title> (its accessible name) and a <desc> (what it shows in
 * words); recharts' keyboard layer lets the arrow keys walk its points once it has focus; and every
 * chart has a table with the same numbers. Series differ by more than colour: labels in the
 * legend and tooltip, and dashed versus solid lines.
 */

const HEIGHT = 240;
const AXIS = { fontSize: 12, fill: 'var(--mantine-color-text)' };
const GRID = 'var(--mantine-color-default-border)';
const TOOLTIP = {
  contentStyle: {
    background: 'var(--mantine-color-body)',
    border: '1px solid var(--mantine-color-default-border)',
    color: 'var(--mantine-color-text)',
  },
  cursor: { fill: 'var(--mantine-color-default-hover)' },
};
/** Legend entries in the series' order, their words in the text colour (the swatch carries the colour). */
const LEGEND = {
  itemSorter: null,
  formatter: (value: string) => <span style={{ color: 'var(--mantine-color-text)' }}>{value}</span>,
};
const COLORS = {
  incidents: 'var(--mantine-color-blue-7)',
  work: 'var(--mantine-color-blue-7)',
  off: 'var(--mantine-color-orange-8)',
  sleep: 'var(--mantine-color-violet-9)',
  mtta: 'var(--mantine-color-teal-8)',
  mttr: 'var(--mantine-color-grape-8)',
};

/** A chart with its heading, a sentence for screen readers, and a button that shows its table. */
export function ChartCard(props: { title: string; summary: string; chart: ReactNode; table: ReactNode }) {
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  return (
    <Card withBorder padding="sm" component="section" aria-label={props.title} miw={0}>
      <Group justify="space-between" align="baseline" wrap="wrap" gap="xs">
        <Title order={3} size="h5">
          {props.title}
        </Title>
        <Button
          variant="subtle"
          size="compact-xs"
          aria-expanded={showTable}
          aria-controls={tableId}
          onClick={() => setShowTable((shown) => !shown)}
        >
          {showTable ? 'Hide table' : 'Show table'}
        </Button>
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {props.summary}
      </Text>
      {props.chart}
      <div id={tableId} hidden={!showTable}>
        {showTable && <Table.ScrollContainer minWidth={240}>{props.table}</Table.ScrollContainer>}
      </div>
    </Card>
  );
}

/** Incidents per bucket, stacked by hour class when split. */
export function IncidentsChart(props: { data: TimePoint[]; split: boolean; title: string; desc: string }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={props.data} title={props.title} desc={props.desc} role="img" margin={{ left: -16 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="label" tick={AXIS} minTickGap={8} />
        <YAxis allowDecimals={false} tick={AXIS} />
        <Tooltip {...TOOLTIP} />
        {props.split ? (
          <>
            <Legend {...LEGEND} />
            <Bar
              dataKey="work"
              name="Work hours"
              stackId="hours"
              fill={COLORS.work}
              isAnimationActive={false}
            />
            <Bar dataKey="off" name="Off hours" stackId="hours" fill={COLORS.off} isAnimationActive={false} />
            <Bar
              dataKey="sleep"
              name="Sleep hours"
              stackId="hours"
              fill={COLORS.sleep}
              isAnimationActive={false}
            />
          </>
        ) : (
          <Bar
            dataKey="incidents"
            name="Incidents"
            fill={COLORS.incidents}
            maxBarSize={56}
            isAnimationActive={false}
          />
        )}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Mean time to acknowledge (solid) and to close (dashed) per bucket, in a unit with round ticks. */
export function TrendChart(props: { data: TimePoint[]; title: string; desc: string }) {
  const max = Math.max(0, ...props.data.flatMap((p) => [p.mtta ?? 0, p.mttr ?? 0]));
  const { unit, seconds } = durationUnit(max);
  const data = props.data.map((p) => ({
    label: p.label,
    mtta: p.mtta === null ? null : p.mtta / seconds,
    mttr: p.mttr === null ? null : p.mttr / seconds,
  }));
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart data={data} title={props.title} desc={props.desc} role="img" margin={{ left: -8 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="label" tick={AXIS} minTickGap={8} />
        <YAxis tick={AXIS} tickFormatter={(v: number) => `${v} ${unit}`} width={64} />
        <Tooltip {...TOOLTIP} formatter={(value) => formatSeconds(Number(value) * seconds)} />
        <Legend {...LEGEND} />
        <Line
          dataKey="mtta"
          name="MTTA (time to acknowledge)"
          stroke={COLORS.mtta}
          strokeWidth={2}
          connectNulls
          dot={{ r: 3 }}
          isAnimationActive={false}
        />
        <Line
          dataKey="mttr"
          name="MTTR (time to close)"
          stroke={COLORS.mttr}
          strokeWidth={2}
          strokeDasharray="6 3"
          connectNulls
          dot={{ r: 3 }}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Incidents by hour class: one bar each for work, off and sleep hours. */
export function HoursChart(props: { data: HourLoad[]; title: string; desc: string }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={props.data} title={props.title} desc={props.desc} role="img" margin={{ left: -16 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="label" tick={AXIS} />
        <YAxis allowDecimals={false} tick={AXIS} />
        <Tooltip {...TOOLTIP} />
        <Bar
          dataKey="incidents"
          name="Incidents"
          fill={COLORS.incidents}
          maxBarSize={56}
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Horizontal bars of a count per name (top labels, incidents per team), names on the left. */
export function RankingChart(props: {
  data: { name: string; value: number }[];
  valueName: string;
  title: string;
  desc: string;
}) {
  const height = Math.max(100, props.data.length * 36 + 40);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart
        data={props.data}
        layout="vertical"
        title={props.title}
        desc={props.desc}
        role="img"
        margin={{ right: 16 }}
      >
        <CartesianGrid stroke={GRID} horizontal={false} />
        <XAxis type="number" allowDecimals={false} tick={AXIS} />
        <YAxis
          type="category"
          dataKey="name"
          tick={AXIS}
          width={110}
          tickFormatter={(name: string) => (name.length > 16 ? `${name.slice(0, 15)}…` : name)}
        />
        <Tooltip {...TOOLTIP} />
        <Bar
          dataKey="value"
          name={props.valueName}
          fill={COLORS.incidents}
          maxBarSize={28}
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}
