import '@mantine/dates/styles.css';
import { DateTimePicker } from '@mantine/dates';

/**
 * A date and time (a maintenance window's start or end), loaded only when a responder schedules
 * maintenance, as DateRange.tsx is for the incident list. The value is the wall-clock time in the
 * member's zone, "YYYY-MM-DD HH:mm:ss"; the caller converts it (statusPages.ts zonedToSeconds).
 */
export default function DateTimeField(props: {
  label: string;
  description: string;
  value: string | null;
  required?: boolean;
  onChange: (value: string | null) => void;
}) {
  return (
    <DateTimePicker
      label={props.label}
      description={props.description}
      placeholder="Pick a date and time"
      required={props.required}
      clearable={!props.required}
      valueFormat="YYYY-MM-DD HH:mm"
      value={props.value}
      onChange={(value) => props.onChange(value ? String(value) : null)}
    />
  );
}
