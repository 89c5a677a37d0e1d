/** A destructive action behind a confirmation: a danger button whose popover asks `question` first. */
import { Button, Popconfirm } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Props = {
  question: ReactNode;
  /** The button's label, and the popover's confirming button's. */
  action: string;
  onConfirm: () => Promise<unknown>;
  size?: 'small' | 'middle';
  icon?: ReactNode;
  loading?: boolean;
};

export function ConfirmButton({ question, action, onConfirm, size = 'small', icon, loading }: Props) {
  const { t } = useTranslation();
  return (
    <Popconfirm
      title={question}
      okText={action}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: true }}
      onConfirm={onConfirm}
    >
      <Button size={size} danger icon={icon} loading={loading}>
        {action}
      </Button>
    </Popconfirm>
  );
}
