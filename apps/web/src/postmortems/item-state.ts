import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ACTION_ITEM_STATES, postmortemApi, stateLabel, type ActionItemState } from '../api/postmortems.ts';
import { keys } from '../api/keys.ts';

/** Every state an item can be set to, for a Select. */
export const ITEM_STATE_OPTIONS = ACTION_ITEM_STATES.map((s) => ({ value: s, label: stateLabel(s) }));

/** Changes an action item's state; refreshes every postmortem query (the item's postmortem and the open lists). */
export function useItemState() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, state }: { id: string; state: ActionItemState }) => postmortemApi.updateItem(id, { state }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.postmortems.all }),
  });
}
