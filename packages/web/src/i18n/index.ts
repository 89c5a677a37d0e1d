/**
 * English and Simplified Chinese. The choice is remembered in localStorage; without one, the browser's
 * language decides. dayjs follows it here, antd's own texts in app/providers.tsx.
 */
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createInstance } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zh } from './zh';

export const languages = [
  { code: 'en', label: 'English' },
  { code: 'zh', label: '中文' },
] as const;
export type Language = (typeof languages)[number]['code'];

const storageKey = 'shipyard.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(storageKey);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const i18n = createInstance();

// Dates (antd's pickers, formatTime) follow the chosen language.
i18n.on('languageChanged', (lng) => {
  // eslint-disable-next-line import-x/no-named-as-default-member -- dayjs's documented global setter
  dayjs.locale(lng === 'zh' ? 'zh-cn' : 'en');
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export function setLanguage(lang: Language): void {
  localStorage.setItem(storageKey, lang);
  void i18n.changeLanguage(lang);
}

export const currentLanguage = (): Language => (i18n.language === 'zh' ? 'zh' : 'en');

export default i18n;
