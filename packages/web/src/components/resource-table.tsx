/**
 * A list page is a declaration: a source (where the list lives) and columns. This table pages, sorts and filters
 * on the server (the list's page, pageSize, sort and filter parameters), keeps that state in the URL (links and
 * back/forward work), stays subscribed to the list's watch key so it refetches when the server says the list
 * changed, and shows errors as states (403, unavailable) without losing the page around it.
 */
import { ReloadOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Table, Tooltip, type TableProps } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useList, watchKeyOf, type ListParams, type ListSource } from '../api/list';
import { useWatch } from '../api/watch';
import { ErrorState } from './error-state';

export type ColumnDef<T> = {
  key: string;
  title: ReactNode;
  render: (row: T) => ReactNode;
  /** The field path the server sorts this column by (`status.nodes.total`). */
  sortPath?: string;
  /** Choices that filter the list by `path=value`. */
  filter?: { path: string; options: { label: ReactNode; value: string }[] };
  width?: number | string;
  ellipsis?: boolean;
  /** Kept in view while the table scrolls sideways; the `actions` column is, on the right, unless told. */
  fixed?: 'left' | 'right';
};

type Props<T> = {
  source: ListSource;
  columns: ColumnDef<T>[];
  rowKey: (row: T) => string;
  /** Sort when the user chose none, as the API takes it: `-metadata.creationTimestamp`. */
  defaultSort?: string;
  /** A search box: bare text matched by the server against name, display name and description. */
  search?: boolean;
  toolbar?: ReactNode;
  /** Terms the list is always filtered by (`spec.tenant=qa`), before the search and the column filters. */
  baseFilter?: string;
  /** Prefix of this table's URL parameters, when a page has several tables. */
  urlPrefix?: string;
  emptyText?: ReactNode;
  /** Errors as an alert in place (inside a tab), not a full-page result. */
  compactErrors?: boolean;
  testId?: string;
};

const pageSizes = [10, 20, 50, 100];

export function ResourceTable<T extends object>(props: Props<T>) {
  const { source, columns, rowKey, defaultSort, urlPrefix = '' } = props;
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const p = (name: string) => `${urlPrefix}${name}`;
  const page = Math.max(1, Number(search.get(p('page'))) || 1);
  const pageSize = pageSizes.includes(Number(search.get(p('size')))) ? Number(search.get(p('size'))) : 20;
  const sort = search.get(p('sort')) ?? defaultSort ?? '';
  const text = search.get(p('q')) ?? '';
  const [typed, setTyped] = useState(text);

  const terms: string[] = props.baseFilter ? [props.baseFilter] : [];
  if (text) terms.push(text.replace(/,/g, ' '));
  for (const c of columns) {
    const v = c.filter && search.get(p(`f.${c.filter.path}`));
    if (c.filter && v) terms.push(`${c.filter.path}=${v}`);
  }
  const params: ListParams = {
    page,
    pageSize,
    sort: sort || undefined,
    filter: terms.join(',') || undefined,
  };
  const list = useList<T>(source, params);
  useWatch([watchKeyOf(source)]);

  const update = (changes: Record<string, string | undefined>) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v === undefined || v === '') next.delete(p(k));
          else next.set(p(k), v);
        }
        return next;
      },
      { replace: true },
    );

  const onChange: TableProps<T>['onChange'] = (pagination, filters, sorter) => {
    const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<T> | undefined;
    const col = columns.find((c) => c.key === s?.columnKey);
    const nextSort =
      col?.sortPath && s?.order ? `${s.order === 'descend' ? '-' : ''}${col.sortPath}` : undefined;
    const changes: Record<string, string | undefined> = {
      page: String(pagination.current ?? 1),
      size: String(pagination.pageSize ?? pageSize),
      sort: nextSort,
    };
    for (const c of columns) {
      if (!c.filter) continue;
      const chosen = filters[c.key]?.[0];
      changes[`f.${c.filter.path}`] = chosen === undefined ? undefined : String(chosen);
    }
    // A new sort or filter starts from the first page.
    if (nextSort !== (search.get(p('sort')) ?? undefined)) changes.page = undefined;
    update(changes);
  };

  const sortOrderOf = (c: ColumnDef<T>) => {
    if (!c.sortPath) return undefined;
    if (sort === c.sortPath) return 'ascend' as const;
    if (sort === `-${c.sortPath}`) return 'descend' as const;
    return null;
  };

  const antColumns: TableProps<T>['columns'] = columns.map((c) => {
    const chosen = c.filter ? search.get(p(`f.${c.filter.path}`)) : null;
    return {
      key: c.key,
      title: c.title,
      width: c.width,
      ellipsis: c.ellipsis,
      fixed: c.fixed ?? (c.key === 'actions' ? ('right' as const) : undefined),
      render: (_: unknown, row: T) => c.render(row),
      sorter: c.sortPath ? true : undefined,
      sortOrder: sortOrderOf(c),
      filters: c.filter?.options.map((o) => ({ text: o.label, value: o.value })),
      filterMultiple: false,
      filteredValue: c.filter ? (chosen ? [chosen] : null) : undefined,
    };
  });

  const failed = list.error && !list.data;
  return (
    <div data-testid={props.testId}>
      <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 12 }}>
        <Flex gap={8} align="center" wrap>
          {props.search && (
            <Input.Search
              allowClear
              placeholder={t('common.search')}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              onSearch={(v) => update({ q: v.trim() || undefined, page: undefined })}
              style={{ width: 260 }}
            />
          )}
          {props.toolbar}
        </Flex>
        <Tooltip title={t('common.refresh')}>
          <Button
            aria-label={t('common.refresh')}
            icon={<ReloadOutlined />}
            loading={list.isFetching}
            onClick={() => void list.refetch()}
          />
        </Tooltip>
      </Flex>
      {list.error && (
        <ErrorState
          error={list.error}
          onRetry={() => void list.refetch()}
          // Nothing to show at all: a full state, unless the table sits in a tab or card.
          compact={!failed || props.compactErrors}
        />
      )}
      {!failed && (
        <Table<T>
          rowKey={rowKey}
          columns={antColumns}
          dataSource={list.data?.items ?? []}
          loading={list.isLoading || (list.isFetching && list.isPlaceholderData)}
          onChange={onChange}
          locale={props.emptyText ? { emptyText: props.emptyText } : undefined}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: pageSizes,
            showTotal: (total) => t('common.total', { count: total }),
          }}
          size="middle"
          scroll={{ x: 'max-content' }}
        />
      )}
    </div>
  );
}
