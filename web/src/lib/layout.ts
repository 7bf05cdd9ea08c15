// Screen sizes as pages use them: below antd's md breakpoint (768 px) is a phone, where lists
// become cards and toolbars wrap.
import { Grid } from 'antd';

export function useIsPhone(): boolean {
  const screens = Grid.useBreakpoint();
  // Before the first measurement every breakpoint is unknown: assume the narrower layout
  // only when the window says so.
  if (screens.md === undefined) return typeof window !== 'undefined' && window.innerWidth < 768;
  return !screens.md;
}
