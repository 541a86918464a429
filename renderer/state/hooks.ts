// Store hooks that derive objects (kept referentially stable with a shallow compare).

import { useShallow } from 'zustand/react/shallow';
import { shownProgram, useStore, type ShownProgram } from './store';

export function useShownProgram(): ShownProgram | null {
  return useStore(useShallow(shownProgram));
}
