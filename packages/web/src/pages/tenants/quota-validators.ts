/** Form rules that check as the API does (names, quantities, port ranges), with the console's words. */
import type { TFunction } from 'i18next';
import type { FormRule as Rule } from 'antd';
import { quantityProblem } from '../../api/quantity';

/** A DNS-1123 label (packages/api meta.ts dnsLabel): every object's name. */
export const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function nameRules(t: TFunction): Rule[] {
  return [
    { required: true, message: t('forms.nameRequired') },
    { max: 63, message: t('forms.nameTooLong') },
    { pattern: dnsLabelPattern, message: t('forms.nameInvalid') },
  ];
}

/** An optional quantity: empty, or one the API accepts. */
export function quantityRule(t: TFunction): Rule {
  return {
    validator: async (_, value: string | undefined) => {
      if (value === undefined || value.trim() === '') return;
      const problem = quantityProblem(value.trim());
      if (problem === 'format') throw new Error(t('forms.quantityInvalid'));
      if (problem === 'tooLarge') throw new Error(t('forms.quantityTooLarge'));
    },
  };
}
