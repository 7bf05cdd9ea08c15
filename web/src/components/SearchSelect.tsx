// A select whose options come from a server search as the user types (people, customers).
import { useState } from 'react';
import { Select } from 'antd';
import { useQuery } from '@tanstack/react-query';

export interface Option {
  value: string;
  label: string;
}

export function SearchSelect({
  value,
  onChange,
  queryKey,
  search,
  searchFirst = false,
  placeholder,
  testId,
}: {
  value?: string;
  onChange?: (v: string) => void;
  /** Names the search in the query cache; the typed text is added to it. */
  queryKey: string[];
  search: (q: string) => Promise<Option[]>;
  /** Offer nothing until something is typed (a list too long to show unfiltered). */
  searchFirst?: boolean;
  placeholder?: string;
  testId?: string;
}) {
  const [q, setQ] = useState('');
  const found = useQuery({ queryKey: [...queryKey, q], queryFn: () => search(q), enabled: !searchFirst || q.length > 0 });
  return (
    <Select
      showSearch
      filterOption={false}
      onSearch={setQ}
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      notFoundContent={searchFirst ? null : undefined}
      data-testid={testId}
      options={found.data ?? []}
    />
  );
}
