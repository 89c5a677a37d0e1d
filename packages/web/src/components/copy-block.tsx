import { Typography } from 'antd';

/** A block of text to copy (a command, a manifest, a token): monospace, scrolls, one copy button. */
export function CopyBlock({
  text,
  testId,
  maxHeight = 240,
}: {
  text: string;
  testId?: string;
  maxHeight?: number;
}) {
  return (
    <Typography.Paragraph
      copyable={{ text }}
      data-testid={testId}
      style={{
        position: 'relative',
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        fontSize: 12,
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-all',
        background: 'rgba(0, 0, 0, 0.04)',
        padding: '8px 12px',
        borderRadius: 6,
        maxHeight,
        overflow: 'auto',
      }}
    >
      {text}
    </Typography.Paragraph>
  );
}
