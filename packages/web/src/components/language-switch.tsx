import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLanguage, languages, setLanguage, type Language } from '../i18n';

/** English | 中文: switches at once and is remembered (i18n/index.ts). */
export function LanguageSwitch() {
  const { t } = useTranslation(); // re-renders on a language change
  return (
    <Segmented<Language>
      aria-label={t('topbar.language')}
      data-testid="language-switch"
      size="small"
      value={currentLanguage()}
      options={languages.map((l) => ({ label: l.label, value: l.code }))}
      onChange={setLanguage}
    />
  );
}
