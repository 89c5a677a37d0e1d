/**
 * English and Simplified Chinese. The choice is remembered in localStorage; without one, the browser's
 * language decides. dayjs follows it here, antd's own texts in app/providers.tsx.
 *
 * English is the source and the fallback, in the first load; Chinese is its own chunk, fetched when it is the
 * language (main.tsx waits for `i18nReady` before the first render, so no English flashes) or chosen.
 */
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createInstance } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';

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

const loaders: Record<Exclude<Language, 'en'>, () => Promise<Record<string, unknown>>> = {
  zh: async () => (await import('./zh')).zh,
};

/** Adds a language's texts unless they are there. */
async function load(lang: Language): Promise<void> {
  if (lang === 'en' || i18n.hasResourceBundle(lang, 'translation')) return;
  i18n.addResourceBundle(lang, 'translation', await loaders[lang]());
}

const initial = initialLanguage();

/** Resolves once the first language's texts are in (at once for English). */
export const i18nReady: Promise<void> = (async () => {
  await i18n.use(initReactI18next).init({
    resources: { en: { translation: en } },
    partialBundledLanguages: true,
    lng: 'en',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  // A chunk that fails to load (a deploy in between) leaves the console in English rather than blank.
  await load(initial).then(
    () => i18n.changeLanguage(initial),
    () => undefined,
  );
})();

export function setLanguage(lang: Language): void {
  localStorage.setItem(storageKey, lang);
  void load(lang).then(() => i18n.changeLanguage(lang));
}

export const currentLanguage = (): Language => (i18n.language === 'zh' ? 'zh' : 'en');

export default i18n;
