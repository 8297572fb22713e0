// Reading a submitted modal: one input per block, each with the action id INPUT_ACTION.
import type { ViewOutput } from '@slack/bolt';
import { INPUT_ACTION } from '../blocks/modals.ts';

type InputState = { value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[] };

export function inputValue(view: ViewOutput, block: string): string | undefined {
  const s = view.state.values[block]?.[INPUT_ACTION] as InputState | undefined;
  return s?.value ?? s?.selected_option?.value ?? undefined;
}

export function checkedValues(view: ViewOutput, block: string): string[] {
  const s = view.state.values[block]?.[INPUT_ACTION] as InputState | undefined;
  return (s?.selected_options ?? []).map((o) => o.value);
}
