/** What every page relies on: queries, the live channel, antd in the chosen language. */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { WatchProvider } from '../api/watch';
import type { WatchClient } from '../api/watch-client';

export function Providers(props: { queryClient: QueryClient; watch: WatchClient; children: ReactNode }) {
  const { i18n } = useTranslation();
  const zh = i18n.language === 'zh';
  return (
    <QueryClientProvider client={props.queryClient}>
      <WatchProvider client={props.watch}>
        <ConfigProvider locale={zh ? zhCN : enUS} theme={{ token: { colorPrimary: '#1677ff' } }}>
          <AntApp>{props.children}</AntApp>
        </ConfigProvider>
      </WatchProvider>
    </QueryClientProvider>
  );
}
