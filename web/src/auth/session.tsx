// Who is signed in. The session itself is an HttpOnly cookie; the UI only asks /api/v1/me.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, ApiError } from '../api/client';
import type { Me } from '../lib/permissions';

export const ME_KEY = ['me'];

export function useMe() {
  return useQuery<Me | null>({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/v1/me'));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return async () => {
    await api.POST('/api/v1/auth/logout');
    qc.clear();
    qc.setQueryData(ME_KEY, null);
  };
}
