/** The trash button at the end of a row of a Form.List (a storage class, a quota key, a network rule). */
import { DeleteOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';

export function RemoveRowButton({ onRemove, style }: { onRemove: () => void; style?: CSSProperties }) {
  const { t } = useTranslation();
  return (
    <Button
      type="text"
      aria-label={t('common.remove')}
      icon={<DeleteOutlined />}
      onClick={onRemove}
      style={style}
    />
  );
}
