import '@mantine/dates/styles.css';
import { DatePickerInput } from '@mantine/dates';

/**
 * The calendar of the incident list's "Dates" range, loaded only when a responder picks dates:
 * the date picker is about a fifth of the console's script, and most visits never open it.
 */
export default function DateRange(props: {
  value: [string, string];
  maxDate: string;
  onChange: (from: string, to: string) => void;
}) {
  return (
    <DatePickerInput
      type="range"
      aria-label="Dates"
      placeholder="Pick dates"
      allowSingleDateInRange
      maxDate={props.maxDate}
      value={props.value}
      onChange={([from, to]) => {
        if (from && to) props.onChange(String(from), String(to));
      }}
      size="xs"
    />
  );
}
