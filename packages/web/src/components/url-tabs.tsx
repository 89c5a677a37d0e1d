/** Tabs whose choice lives in the URL (`?tab=members`): a link or a reload opens the same tab. */
import { Tabs, type TabsProps } from 'antd';
import { useSearchParams } from 'react-router';

export function UrlTabs({ items, defaultKey }: { items: TabsProps['items']; defaultKey: string }) {
  const [params, setParams] = useSearchParams();
  return (
    <Tabs
      activeKey={params.get('tab') ?? defaultKey}
      onChange={(key) => setParams({ tab: key }, { replace: true })}
      items={items}
    />
  );
}
