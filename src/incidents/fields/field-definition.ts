import { invalidParameter } from '../../shared/app-error.ts';
import { type FIELD_TYPES, MAX_TEXT_DEFAULT } from './fields.schemas.ts';

type FieldType = (typeof FIELD_TYPES)[number];

export type Definition = {
  field_type: FieldType;
  value_type: 'string' | 'bool';
  options: readonly string[];
  /** undefined or null: no default. */
  default_value?: unknown;
};

/**
 * The rules a definition must keep, on create and after every update: a checkbox holds a bool and
 * every other type a string; select types list their options (distinct), others list none; the
 * default is a value the field could hold.
 */
export function checkDefinition(d: Definition): void {
  const wantsBool = d.field_type === 'checkbox';
  if ((d.value_type === 'bool') !== wantsBool) {
    throw invalidParameter(
      'value_type',
      `must be ${wantsBool ? 'bool' : 'string'} for field_type ${d.field_type}`,
    );
  }
  const selects = d.field_type === 'single_select' || d.field_type === 'multi_select';
  if (selects && d.options.length === 0)
    throw invalidParameter('options', `must list the choices of a ${d.field_type}`);
  if (!selects && d.options.length > 0)
    throw invalidParameter('options', `must be empty for field_type ${d.field_type}`);
  if (new Set(d.options).size !== d.options.length)
    throw invalidParameter('options', 'must not repeat a choice');
  checkDefault(d);
}

function checkDefault(d: Definition): void {
  const value = d.default_value;
  if (value === undefined || value === null) return;
  const bad = (reason: string) => invalidParameter('default_value', reason);
  switch (d.field_type) {
    case 'checkbox':
      if (typeof value !== 'boolean') throw bad('must be a boolean for a checkbox');
      return;
    case 'text':
      if (typeof value !== 'string') throw bad('must be a string for a text field');
      if ([...value].length > MAX_TEXT_DEFAULT) throw bad(`must have at most ${MAX_TEXT_DEFAULT} characters`);
      return;
    case 'single_select':
      if (typeof value !== 'string' || !d.options.includes(value)) throw bad('must be one of options');
      return;
    case 'multi_select':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !d.options.includes(v))) {
        throw bad('must be an array of options');
      }
      if (new Set(value).size !== value.length) throw bad('must not repeat a choice');
      return;
  }
}
