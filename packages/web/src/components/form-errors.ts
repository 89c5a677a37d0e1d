import type { FormInstance } from 'antd';
import { ApiError } from '../api/errors';
import { parseFieldPath } from '../api/field-path';

/**
 * Puts an API error next to the form field it concerns (the error's `field`, e.g. `metadata.name` on a 409
 * AlreadyExists or a 422), when the form has that field. Returns false when it does not: show it above the form.
 */
export function showFieldError(form: FormInstance, err: unknown, fields: (string | number)[][]): boolean {
  if (!(err instanceof ApiError) || !err.field) return false;
  const path = parseFieldPath(err.field);
  const field = fields.find((f) => f.length === path.length && f.every((p, i) => p === path[i]));
  if (!field) return false;
  form.setFields([{ name: field, errors: [err.message] }]);
  return true;
}
