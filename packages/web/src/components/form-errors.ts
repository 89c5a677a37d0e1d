import type { FormInstance } from 'antd';
import { ApiError } from '../api/errors';
import { parseFieldPath } from '../api/field-path';

export type FieldPath = (string | number)[];

/**
 * Puts an API error next to the form field it concerns (the error's `field`, e.g. `metadata.name` on a 409
 * AlreadyExists or a 422), when the form has that field. Returns false when it does not: show it above the form.
 */
export function showFieldError(form: FormInstance, err: unknown, fields: FieldPath[]): boolean {
  return showMappedFieldError(form, err, (path) =>
    fields.find((f) => f.length === path.length && f.every((p, i) => p === path[i])),
  );
}

/**
 * The same for a form whose fields are not shaped like the API's object (a tenant's quota rows): `map` turns
 * the API's field path into the form's, or undefined when no field of the form shows it.
 */
export function showMappedFieldError(
  form: FormInstance,
  err: unknown,
  map: (apiPath: FieldPath) => FieldPath | undefined,
): boolean {
  if (!(err instanceof ApiError) || !err.field) return false;
  const field = map(parseFieldPath(err.field));
  if (!field) return false;
  form.setFields([{ name: field, errors: [err.message] }]);
  return true;
}
